// TGI's Messages API bodies (its /v1/chat/completions and /v1/completions), in TGI's key
// order: an empty `id`, the served model id, `system_fingerprint` as version plus docker
// label, `usage: null` on every chat chunk, and `finish_reason: ""` on unfinished completion
// chunks (see test/fixtures/tgi).

import type { WireError } from '../../upstream/tgi/wire.ts';
import type { Usage } from '../core/usage.ts';
import { statusOf } from './errors.ts';

export interface MessagesMeta {
  model: string;
  fingerprint: string;
}

type Finish = 'stop' | 'length';

const now = (): number => Math.floor(Date.now() / 1000);

function head(meta: MessagesMeta, object: string): Record<string, unknown> {
  return { object, id: '', created: now(), model: meta.model, system_fingerprint: meta.fingerprint };
}

/** `content` is the assistant's text, or its message with a tool call. */
export function chatCompletion(meta: MessagesMeta, content: string | object, finish: Finish, usage: Usage): unknown {
  const message = typeof content === 'string' ? { role: 'assistant', content } : content;
  const choice = { index: 0, message, logprobs: null, finish_reason: finish };
  return { ...head(meta, 'chat.completion'), choices: [choice], usage };
}

/** TGI repeats the role on every delta; the EOS token's delta has empty content. */
export function chatChunk(meta: MessagesMeta, content: string, finish: Finish | null): unknown {
  const choice = { index: 0, delta: { role: 'assistant', content }, logprobs: null, finish_reason: finish };
  return { ...head(meta, 'chat.completion.chunk'), choices: [choice], usage: null };
}

/**
 * A piece of a streamed call, as TGI 3 writes it (router/src/chat.rs): the role again,
 * `tool_calls` with index 0 and the same id ("0") on every chunk, the name on the first
 * only; no finish reason follows the last one.
 */
export function toolCallChunk(meta: MessagesMeta, name: string | null, piece: string): unknown {
  const call = { index: 0, id: '0', type: 'function', function: { name, arguments: piece } };
  const choice = { index: 0, delta: { role: 'assistant', tool_calls: [call] }, logprobs: null, finish_reason: null };
  return { ...head(meta, 'chat.completion.chunk'), choices: [choice], usage: null };
}

/** A unary call: TGI's id is always "0", and it names no description. */
export function toolCallMessage(name: string, args: string): object {
  return { role: 'assistant', tool_calls: [{ id: '0', type: 'function', function: { description: null, name, arguments: args } }] };
}

export function chatUsageChunk(meta: MessagesMeta, usage: Usage): unknown {
  return { ...head(meta, 'chat.completion.chunk'), choices: [], usage };
}

export function textCompletion(meta: MessagesMeta, text: string, finish: Finish, usage: Usage): unknown {
  return { ...head(meta, 'text_completion'), choices: [{ index: 0, text, logprobs: null, finish_reason: finish }], usage };
}

export function textChunk(meta: MessagesMeta, text: string, finish: Finish | null): unknown {
  const choice = { index: 0, text, logprobs: null, finish_reason: finish ?? '' };
  return { object: 'text_completion', id: '', created: now(), choices: [choice], model: meta.model, system_fingerprint: meta.fingerprint };
}

/** In-band errors of the Messages API carry the status the non-stream route would answer. */
export function streamError(error: WireError): unknown {
  return { error: { message: error.error, http_status_code: statusOf(error) } };
}
