// The answers of the OpenAI routes in OpenAI's shapes: a whole chat.completion
// or text_completion, and the chunks of their streams. Built from the
// service's neutral outputs; nothing here knows which protocol the model's
// servers speak.
import { randomText } from '../../lib/random-bytes.ts';
import type { FinishReason, TokenUsage, ToolCall, ToolCallDelta } from '../../upstream/types.ts';

/** What every object of one answer repeats: its id, when it was made, the gateway's model id. */
export interface AnswerHead {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export function answerHead(kind: 'chat' | 'completion', model: string): AnswerHead {
  const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomText(12, 'hex')}`;
  return { id, created: Math.floor(Date.now() / 1000), model };
}

type OpenAIFinish = 'stop' | 'length' | 'tool_calls';

/** A stop sequence and the end-of-sequence token are both OpenAI's `stop`. */
const openAIFinish = (reason: FinishReason): OpenAIFinish => (reason === 'LENGTH' ? 'length' : reason === 'TOOL_CALLS' ? 'tool_calls' : 'stop');

/** A call as OpenAI writes it. */
const openAICall = (call: ToolCall) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } });

/** A piece of a streamed call: id, type and name on the call's first piece only. */
export function openAICallDelta(delta: ToolCallDelta) {
  const first = delta.id === undefined ? {} : { id: delta.id, type: 'function' as const };
  return { index: delta.index, ...first, function: { ...(delta.name === undefined ? {} : { name: delta.name }), arguments: delta.argumentsDelta } };
}

interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

const openAIUsage = (usage: TokenUsage): OpenAIUsage => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.totalTokens,
});

/** The server's counts when it reported them; absent otherwise (the gateway never estimates them). */
const usageField = (usage: TokenUsage | null | undefined) => (usage ? { usage: openAIUsage(usage) } : {});

/** An answer that only called tools has null content, as OpenAI's. */
export function chatCompletion(head: AnswerHead, content: string, toolCalls: readonly ToolCall[], finish: FinishReason, usage: TokenUsage | null | undefined) {
  const message = toolCalls.length === 0
    ? { role: 'assistant' as const, content, refusal: null }
    : { role: 'assistant' as const, content: content === '' ? null : content, refusal: null, tool_calls: toolCalls.map(openAICall) };
  return {
    ...head,
    object: 'chat.completion' as const,
    choices: [{ index: 0, message, logprobs: null, finish_reason: openAIFinish(finish) }],
    ...usageField(usage),
  };
}

export function textCompletion(head: AnswerHead, text: string, finish: FinishReason, usage: TokenUsage | null | undefined) {
  return {
    ...head,
    object: 'text_completion' as const,
    choices: [{ index: 0, text, logprobs: null, finish_reason: openAIFinish(finish) }],
    ...usageField(usage),
  };
}

/** What a chat chunk's `delta` may carry. */
export interface ChunkDelta {
  role?: 'assistant';
  content?: string;
  tool_calls?: ReturnType<typeof openAICallDelta>[];
}

/** A chat stream's chunk: the role on the first, content and call pieces after it, the finish on the last. */
export function chatChunk(head: AnswerHead, delta: ChunkDelta, finish: FinishReason | null) {
  return {
    ...head,
    object: 'chat.completion.chunk' as const,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish === null ? null : openAIFinish(finish) }],
  };
}

/**
 * A chunk's JSON written around the one string it carries: `shape` is the
 * chunk with an empty string there, under `field` (the last such field of its
 * text, in the choice). The text is exactly JSON.stringify's of the chunk with
 * that string, without building and walking an object for every token.
 */
export function pieceWriter(shape: object, field: 'content' | 'text'): (piece: string) => string {
  const empty = JSON.stringify(shape);
  const marker = `"${field}":""`;
  const at = empty.lastIndexOf(marker) + marker.length - 2;
  const before = empty.slice(0, at);
  const after = empty.slice(at + 2);
  return (piece) => before + JSON.stringify(piece) + after;
}

export function textChunk(head: AnswerHead, text: string, finish: FinishReason | null) {
  return {
    ...head,
    object: 'text_completion' as const,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finish === null ? null : openAIFinish(finish) }],
  };
}

/** `stream_options.include_usage`: after the last choice, a chunk with no choices and the usage. */
export function usageChunk(head: AnswerHead, object: 'chat.completion.chunk' | 'text_completion', usage: TokenUsage) {
  return { ...head, object, choices: [], usage: openAIUsage(usage) };
}
