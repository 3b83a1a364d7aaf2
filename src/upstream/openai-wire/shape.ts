// The parts every OpenAI-shaped answer shares, chat or completions, streamed
// or not: the token counts (`usage`) and the one choice the gateway asks for.
import type { TokenUsage } from '../types.ts';
import { isObject, protocolError, type Json } from '../json.ts';

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
