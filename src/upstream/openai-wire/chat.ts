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
import type { ChatDelta, ChatMessage, ChatOutput, ChatRequest, FinishReason, TokenUsage } from '../types.ts';
import { decodeIterable, type BodyDecoder, type Emit } from '../body-events.ts';
import { inBandError, type RequestTiedMessages } from './errors.ts';
import { finishOf, stopTail, toFinishReason } from './finish.ts';
import { isObject, parseJsonObject, protocolError, type Json } from '../json.ts';
import { firstChoice, parseUsage } from './shape.ts';
import { chunkEvents, type ChunkHandler } from './chunks.ts';
import { EVERY_WIRE_FIELD, samplingFields, STREAM_OPTIONS, type WireFieldSet } from './sampling.ts';
import { deltaToolCalls, messageToolCalls, OPENAI_RESPONSE_FORMAT, toolRequestFields, wireMessage, type ResponseFormatWriter } from './tools.ts';
import type { WireChatRequest } from './wire.ts';

export interface ChatCodecOptions {
  /**
   * The request's stop sequences, for servers that do not say which stop
   * matched and keep it in the text (TGI): a `stop` finish whose text ends
   * with one is STOP_SEQUENCE. Leave unset for servers that report it.
   */
  inferStopFrom?: readonly string[];
  /** The server's messages of failures the request caused (see errors.ts). */
  requestTied?: RequestTiedMessages;
}

export function buildChatRequest(
  model: string,
  request: ChatRequest,
  options: { stream: boolean; fields?: WireFieldSet; responseFormat?: ResponseFormatWriter },
): WireChatRequest {
  const body: WireChatRequest = {
    model,
    messages: request.messages.map(wireMessage),
    ...samplingFields(request.parameters, options.fields ?? EVERY_WIRE_FIELD),
    ...toolRequestFields(request, options.responseFormat ?? OPENAI_RESPONSE_FORMAT),
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
    toolCalls: messageToolCalls(choice.message),
    finishReason: toFinishReason(reason, choice, message, options.inferStopFrom),
    usage: parseUsage(json.usage),
  };
}

const NO_DELTA: Json = {};

/** A chunk's delta object (empty when it has none). */
function deltaObject(choice: Json): Json {
  const { delta } = choice;
  if (delta === undefined || delta === null) return NO_DELTA;
  if (!isObject(delta)) throw protocolError('malformed delta');
  return delta;
}

/** A delta's content ('' for role-only, tool-call and reasoning chunks). */
function contentOf(delta: Json): string {
  const { content } = delta;
  if (content === undefined || content === null) return '';
  if (typeof content !== 'string') throw protocolError('malformed delta content');
  return content;
}

/** A chat stream's chunks as its events (see the file's head). */
class ChatDeltas implements ChunkHandler {
  readonly #emit: Emit<ChatDelta>;
  readonly #stop: readonly string[] | undefined;
  readonly #keep: number;
  #tail = '';
  /** The held last event, once the finish chunk has come. */
  #final: Omit<ChatDelta, 'usage'> | null = null;
  #calls = false;

  constructor(emit: Emit<ChatDelta>, stop: readonly string[] | undefined) {
    this.#emit = emit;
    this.#stop = stop;
    this.#keep = stopTail(stop);
  }

  choice(choice: Json, finish: string | null): void {
    const object = deltaObject(choice);
    const delta = contentOf(object);
    const toolCallDeltas = deltaToolCalls(object);
    if (toolCallDeltas.length > 0) this.#calls = true;
    if (this.#keep > 0 && delta.length > 0) this.#tail = (this.#tail + delta).slice(-this.#keep);
    if (finish === null) {
      if (delta.length > 0 || toolCallDeltas.length > 0) this.#emit({ delta, toolCallDeltas, finishReason: null, usage: null });
    } else {
      const finishReason: FinishReason = this.#calls ? 'TOOL_CALLS' : toFinishReason(finish, choice, this.#tail, this.#stop);
      this.#final = { delta, toolCallDeltas, finishReason };
    }
  }

  end(usage: TokenUsage | null): void {
    this.#emit({ ...(this.#final ?? { delta: '', toolCallDeltas: [], finishReason: 'TOOL_CALLS' }), usage });
  }

  // TGI streams no finish reason after a call: its stream then ends whole at `[DONE]`.
  endsWithoutFinish(): boolean {
    return this.#calls;
  }
}

/** The decoder of a chat stream's body, its events handed to `emit` each as soon as its chunk is complete. */
export function chatEvents(emit: Emit<ChatDelta>, options: ChatCodecOptions = {}): BodyDecoder {
  return chunkEvents(new ChatDeltas(emit, options.inferStopFrom), options.requestTied);
}

/** The same over a body given as chunks. */
export function decodeChatStream(body: AsyncIterable<Uint8Array>, options: ChatCodecOptions = {}): AsyncGenerator<ChatDelta, void, undefined> {
  return decodeIterable(body, (emit) => chatEvents(emit, options));
}
