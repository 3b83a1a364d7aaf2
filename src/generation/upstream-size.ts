// What a request sends a model server that its client wrote, held to TGI's
// payload limit (`--payload-limit`, 2 MB) before any call. With
// MAX_REQUEST_BYTES raised past it, a chat whose messages fit could still
// carry tools and an answer schema that took the body past it, and TGI's 413
// would come back after a round trip. It is counted as the JSON text it
// travels in, because that is what the server's limit sees: a newline is two
// bytes there, a control character six.
import { badInput } from '../errors.ts';
import type { ChatInput, GenerateInput } from './input.ts';

/** TGI's body limit, less room for the fields the gateway writes itself. */
export const MAX_UPSTREAM_BYTES = 2_000_000 - 64 * 1024;

/** UTF-8 bytes of `value` as JSON text; nothing when absent (it is not sent). */
const jsonBytes = (value: unknown): number => (value === undefined || value === null ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8'));

/** Refuses `parts`, by field, when together they pass the bound; the largest is the field at fault. */
function withinPayloadLimit(parts: Readonly<Record<string, unknown>>): void {
  let total = 0;
  let largest = { field: '', bytes: -1 };
  for (const [field, value] of Object.entries(parts)) {
    const bytes = jsonBytes(value);
    total += bytes;
    if (bytes > largest.bytes) largest = { field, bytes };
  }
  if (total <= MAX_UPSTREAM_BYTES) return;
  const names = Object.keys(parts);
  const listed = `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  throw badInput(
    largest.field,
    `${listed} must take at most ${MAX_UPSTREAM_BYTES} bytes in all as sent to the model server (UTF-8 JSON; its payload limit). Given: ${total}`,
  );
}

/** A generation's prompt and stop sequences. */
export function checkGenerateSize(input: GenerateInput): void {
  withinPayloadLimit({ prompt: input.prompt, stop: input.stop });
}

/** A chat's conversation (tool calls and results included), tools, answer format and stop sequences. */
export function checkChatSize(input: ChatInput): void {
  withinPayloadLimit({ messages: input.messages, tools: input.tools, responseFormat: input.responseFormat, stop: input.stop });
}
