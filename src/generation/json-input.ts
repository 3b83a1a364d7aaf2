// Input a client writes as a JSON body with its own field names (REST's
// snake_case), read through the one input schema (input.ts): a renaming, not
// a second set of rules. A refusal is BAD_USER_INPUT naming the field as the
// client wrote it; the first field at fault in the schema's order is named.
import type { z } from 'zod';
import { badInput } from '../errors.ts';
import { seedFromJson } from './seed.ts';

/**
 * The reviver for such bodies: a `seed` becomes a bigint, a JSON number read
 * by its digits (Node 24 hands revivers each primitive's source text; parsed
 * alone, a u64 past 2^53 would be rounded). A value that is no seed is left
 * for the schema to refuse.
 */
export function exactSeeds(key: string, value: unknown, context?: { source?: string }): unknown {
  return key === 'seed' ? (seedFromJson(value, context?.source) ?? value) : value;
}

/**
 * A body's JSON with its seed read exactly (exactSeeds). A reviver makes the
 * parse several times slower, for every key of every body: it runs only for a
 * body that names a seed, in its text or, written with escapes, in what the
 * plain parse gave.
 */
export function parseWithExactSeeds(text: string): unknown {
  if (text.includes('"seed"')) return JSON.parse(text, exactSeeds as Parameters<typeof JSON.parse>[1]);
  const value: unknown = JSON.parse(text);
  return isJsonObject(value) && Object.hasOwn(value, 'seed') ? JSON.parse(text, exactSeeds as Parameters<typeof JSON.parse>[1]) : value;
}

/**
 * Reads bodies into `schema`'s output, each field found under `wireName(field)`.
 * A null field is absent, so its default applies (the original backend read
 * null so); fields the schema does not know are ignored.
 */
export function jsonInputReader<Schema extends z.ZodObject>(schema: Schema, wireName: (field: string) => string): (body: unknown) => z.output<Schema> {
  const names = Object.keys(schema.shape).map((field) => [field, wireName(field)] as const);
  return (body) => {
    const parsed = schema.safeParse(isJsonObject(body) ? renamed(body, names) : body);
    if (parsed.success) return parsed.data;
    const [issue] = parsed.error.issues;
    const at = issue?.path[0];
    const field = typeof at === 'string' ? wireName(at) : 'body';
    throw badInput(field, `${field} ${issue?.message ?? 'is invalid'}`);
  };
}

function renamed(body: Record<string, unknown>, names: ReadonlyArray<readonly [string, string]>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [field, wire] of names) {
    const value = Object.hasOwn(body, wire) ? body[wire] : undefined;
    if (value !== null && value !== undefined) input[field] = value;
  }
  return input;
}

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
