// What both OpenAI routes read from a body: the shape of their common fields,
// how a shape failure is named (the JSON path the client wrote, `param`), and
// the fields the gateway understands but refuses by name rather than drop.
import { z } from 'zod';
import { SEED_RULE } from '../../generation/seed.ts';
import { invalidValue, unsupported } from './errors.ts';

const number = () => z.number({ error: 'must be a number' }).nullish();
const integer = () => z.int({ error: 'must be an integer' }).nullish();
const flag = () => z.boolean({ error: 'must be a boolean' }).nullish();
const STOP = 'must be a string or a list of strings';

/** The fields of both routes, under OpenAI's names. A null field is an absent one. */
export const COMMON_FIELDS = {
  model: z.string({ error: 'is required and must be a string' }),
  stream: flag(),
  stream_options: z.object({ include_usage: flag() }, { error: 'must be an object' }).nullish(),
  n: integer(),
  temperature: number(),
  top_p: number(),
  max_tokens: integer(),
  stop: z.union([z.string(), z.array(z.string())], { error: STOP }).nullish(),
  /** A u64, exact: the body's reviver read a JSON number by its digits (json-input.ts). */
  seed: z.bigint({ error: `${SEED_RULE}, as a JSON number or a string of decimal digits` }).nullish(),
  frequency_penalty: number(),
  presence_penalty: number(),
  user: z.string({ error: 'must be a string' }).nullish(),
};

/** `body` as `schema`'s output; the first field at fault is named as the client wrote it (`messages[1].content`). */
export function readFields<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidValue('body', 'the body must be a JSON object');
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const param = pathText(issue?.path ?? []);
  throw invalidValue(param, `${param} ${issue?.message ?? 'is invalid'}`);
}

function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : `${text === '' ? '' : '.'}${String(part)}`;
  return text === '' ? 'body' : text;
}

/** Whether a field was given a value that asks for something (null, false, an empty list or object ask for nothing). */
const asks = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== false && !(Array.isArray(value) && value.length === 0) && !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

/** A refusal per field the gateway does not relay: named, never dropped. */
export type Refusals = ReadonlyArray<readonly [field: string, why: string, allowed?: (value: unknown) => boolean]>;

const ONE_CHOICE = 'the gateway returns one choice per request: n must be 1';

/** Refused on both routes. */
export const COMMON_REFUSALS: Refusals = [
  ['n', ONE_CHOICE, (value) => value === 1],
  ['logit_bias', 'logit_bias is not relayed by this gateway'],
];

/** Throws the first refusal whose field the body sets to something that asks. */
export function refuseUnrelayed(body: Record<string, unknown>, refusals: Refusals): void {
  for (const [field, why, allowed] of refusals) {
    const value = body[field];
    if (!asks(value) || allowed?.(value)) continue;
    throw unsupported(field, why);
  }
}

/** `stop` as the service takes it: a list. */
export const stopList = (stop: string | string[] | null | undefined): string[] | undefined => (typeof stop === 'string' ? [stop] : (stop ?? undefined));

/** Sets only what the client set: absent fields are left to the model server's own defaults. */
export function defined<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== null) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], null | undefined> };
}
