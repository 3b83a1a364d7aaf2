// Reading wire JSON once, at the edge: anything malformed is a protocol
// failure rather than a crash further up.
import { UpstreamError } from '../upstream/errors.ts';
import type { TokenUsage } from '../upstream/types.ts';

export type Json = Record<string, unknown>;

export const protocolError = (detail: string): UpstreamError => new UpstreamError({ kind: 'protocol', detail });

export function parseJsonObject(text: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw protocolError(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw protocolError(`${what} is not a JSON object`);
  return value as Json;
}

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/** `usage` as the server reported it; absent or null is null, a malformed one is refused. */
export function parseUsage(value: unknown): TokenUsage | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value) || !isCount(value.prompt_tokens) || !isCount(value.completion_tokens)) throw protocolError('malformed usage');
  const total = isCount(value.total_tokens) ? value.total_tokens : value.prompt_tokens + value.completion_tokens;
  return { promptTokens: value.prompt_tokens, completionTokens: value.completion_tokens, totalTokens: total };
}

/** The first choice of a response or chunk (the gateway asks for one); null when there is none (the usage chunk). */
export function firstChoice(json: Json, what: string): Json | null {
  const { choices } = json;
  if (choices === undefined || choices === null) return null;
  if (!Array.isArray(choices)) throw protocolError(`${what} with malformed choices`);
  const choice: unknown = choices.find((c: unknown) => isObject(c) && (c.index ?? 0) === 0) ?? choices[0];
  if (choice === undefined) return null;
  if (!isObject(choice)) throw protocolError(`${what} with malformed choice`);
  return choice;
}
