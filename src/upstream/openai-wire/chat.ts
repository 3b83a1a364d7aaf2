// The chat codec shared by every OpenAI-shaped chat route: vLLM, SGLang,
// llama.cpp, Ollama, and TGI's Messages API (../tgi/chat.ts) — building the
// `/v1/chat/completions` body, reading its answer, and decoding its stream.
//
// A stream is: an optional role-only chunk, content chunks, the chunk with
// `finish_reason` (its content often empty), then — asked for with
// `stream_options.include_usage` — a chunk with `choices: []` and `usage`,
// then `data: [DONE]`. Role-only and empty chunks are not events. The finish
// is held until its usage (or `[DONE]`, or the end of the body) arrives, so
// that the last event carries both; it may have an empty delta. A body that
// ends before any finish reason was cut off (`broken`); an `{"error": ...}`
// event is thrown as an in-band failure (see errors.ts).
import type { ChatDelta, ChatMessage, ChatOutput, ChatRequest, FinishReason } from '../types.ts';
import { inBandError } from './errors.ts';
import { finishOf, stopTail, toFinishReason } from './finish.ts';
import { isObject, parseJsonObject, protocolError, type Json } from '../json.ts';
import { firstChoice, parseUsage } from './shape.ts';
import { streamChunks } from './chunks.ts';
import { EVERY_WIRE_FIELD, samplingFields, STREAM_OPTIONS, type WireFieldSet } from './sampling.ts';
import type { WireChatRequest } from './wire.ts';

export interface ChatCodecOptions {
  /**
   * The request's stop sequences, for servers that do not say which stop
   * matched and keep it in the text (TGI): a `stop` finish whose text ends
   * with one is STOP_SEQUENCE. Leave unset for servers that report it.
   */
  inferStopFrom?: readonly string[];
}

export function buildChatRequest(
  model: string,
  request: ChatRequest,
  options: { stream: boolean; fields?: WireFieldSet },
): WireChatRequest {
  const body: WireChatRequest = {
    model,
    messages: request.messages.map((m: ChatMessage) => ({ role: m.role, content: m.content })),
    ...samplingFields(request.parameters, options.fields ?? EVERY_WIRE_FIELD),
    stream: options.stream,
  };
  if (options.stream) body.stream_options = { ...STREAM_OPTIONS };
  if (request.continueFinalMessage === true) {
    body.continue_final_message = true;
    body.add_generation_prompt = false;
  }
  return body;
}

/** The 200 body of a non-streamed chat completion. */
export function parseChatResponse(text: string, options: ChatCodecOptions = {}): ChatOutput {
  const json = parseJsonObject(text, 'chat response');
  const error = inBandError(json);
  if (error) throw error;
  const choice = firstChoice(json, 'chat response');
  if (!choice || !isObject(choice.message)) throw protocolError('chat response without a message');
  const { content } = choice.message;
  if (content !== null && content !== undefined && typeof content !== 'string') throw protocolError('malformed message content');
  const reason = finishOf(choice);
  if (reason === null) throw protocolError('chat response without finish_reason');
  const message = content ?? '';
  return {
    content: message,
    finishReason: toFinishReason(reason, choice, message, options.inferStopFrom),
    usage: parseUsage(json.usage),
  };
}

/** A chunk's content delta ('' for role-only, tool-call and reasoning chunks). */
function deltaOf(choice: Json): string {
  const { delta } = choice;
  if (delta === undefined || delta === null) return '';
  if (!isObject(delta)) throw protocolError('malformed delta');
  const { content } = delta;
  if (content === undefined || content === null) return '';
  if (typeof content !== 'string') throw protocolError('malformed delta content');
  return content;
}

/** The events of a chat stream's body, each as soon as its chunk is complete (see the file's head). */
export async function* decodeChatStream(body: AsyncIterable<Uint8Array>, options: ChatCodecOptions = {}): AsyncGenerator<ChatDelta, void, undefined> {
  const stop = options.inferStopFrom;
  const keep = stopTail(stop);
  let tail = '';
  /** The held last event, once the finish chunk has come. */
  let final: { delta: string; finishReason: FinishReason } | null = null;
  for await (const chunk of streamChunks(body)) {
    if (chunk.kind === 'end') {
      yield { delta: final!.delta, finishReason: final!.finishReason, usage: chunk.usage };
      continue;
    }
    const delta = deltaOf(chunk.choice);
    if (keep > 0 && delta.length > 0) tail = (tail + delta).slice(-keep);
    if (chunk.finish === null) {
      if (delta.length > 0) yield { delta, finishReason: null, usage: null };
    } else {
      final = { delta, finishReason: toFinishReason(chunk.finish, chunk.choice, tail, stop) };
    }
  }
}

