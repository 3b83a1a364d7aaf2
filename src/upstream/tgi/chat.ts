// TGI's Messages API (`POST /v1/chat/completions`), for TgiClient.chat and
// chatStream. The route is OpenAI-shaped, so the shared codec in
// ../openai-wire/chat.ts does the work; what is TGI's own is here:
//
// - `model` is not used by TGI to route; it is 'tgi' unless configured.
// - `temperature: 0` is TGI's greedy decoding (doSample: false maps to it).
// - `top_p` must be < 1 there: topP 1 (no nucleus filtering) is left out, which means the same.
// - top_k, repetition_penalty and truncate have no field on the route; validation refuses
//   them for TGI chat, and they are left out here.
// - Finish reasons: TGI says `stop` for EOS and for a stop sequence alike, with no
//   `stop_reason`. TGI keeps the matched stop sequence at the end of the text, so a `stop`
//   whose content ends with one of the request's stop sequences is STOP_SEQUENCE, any
//   other `stop` EOS_TOKEN (a model that ends, by EOS, right after writing a stop string
//   would be misread; no better evidence exists on this route). TGI 2.0's `eos_token` /
//   `stop_sequence` are read as they are.
// - Tools: OpenAI's `tools` and `tool_choice`; the call's id is always "0" (unary) or one id
//   repeated on every streamed piece (router/src/chat.rs): the gateway makes unique ones. A
//   streamed call ends with no finish reason (the end-of-sequence token, which carries it,
//   comes after the call's JSON closed and is not sent): the stream closes after the last
//   argument piece and the usage chunk. A JSON answer is TGI's grammar
//   (`response_format: {type: "json", value: schema}`), which cannot go with tools.
// - Errors: a non-2xx body is TGI's usual `{error, error_type}` (parse.ts
//   parseErrorResponse reads it); in the stream an error arrives as
//   `{"error":{"message","http_status_code"}}` (or `{error, error_type}`), thrown as an
//   in-band UpstreamError with 422/400 → 'validation', 429/503 → 'overloaded', else 'generation'.
import { decodeIterable, type BodyDecoder, type Emit } from '../body-events.ts';
import { buildChatRequest, chatEvents, parseChatResponse } from '../openai-wire/chat.ts';
import type { WireFieldSet } from '../openai-wire/sampling.ts';
import type { ResponseFormatWriter } from '../openai-wire/tools.ts';
import type { WireChatRequest } from '../openai-wire/wire.ts';
import type { ChatDelta, ChatOutput, ChatRequest } from '../types.ts';

export const TGI_CHAT_PATH = '/v1/chat/completions';
export const TGI_CHAT_MODEL = 'tgi';

const TGI_CHAT_FIELDS: WireFieldSet = { topK: false, repetitionPenalty: false, truncate: false, topPOne: false };

export type { WireChatRequest as TgiChatRequestBody };

/**
 * TGI's grammar, not OpenAI's `json_schema`: `{type: "json", value: <schema>}`
 * (its router also takes `json_object` as an alias of `json`). Any JSON object
 * is the schema `{"type": "object"}`.
 */
const TGI_RESPONSE_FORMAT: ResponseFormatWriter = (format) => {
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json', value: { type: 'object' } };
    case 'json_schema':
      return { type: 'json', value: format.schema };
  }
};

/** The body of TGI's `POST /v1/chat/completions`; the TGI client writes it with its bigint-aware JSON. */
export function buildTgiChatRequest(request: ChatRequest, options: { stream: boolean; model?: string }): WireChatRequest {
  return buildChatRequest(options.model ?? TGI_CHAT_MODEL, request, { stream: options.stream, fields: TGI_CHAT_FIELDS, responseFormat: TGI_RESPONSE_FORMAT });
}

/** The 200 body of a non-streamed TGI chat completion. */
export function parseTgiChatResponse(text: string, request: ChatRequest): ChatOutput {
  const output = parseChatResponse(text, { inferStopFrom: request.parameters.stop });
  // TGI's unary id is always "0": not an id a conversation could send back. The gateway makes one.
  return output.toolCalls.length === 0 ? output : { ...output, toolCalls: output.toolCalls.map((call) => ({ ...call, id: '' })) };
}

/** The decoder of TGI's chat stream (role-only and empty chunks dropped; the last event carries finish and usage). */
export function tgiChatEvents(emit: Emit<ChatDelta>, request: ChatRequest): BodyDecoder {
  // TGI repeats one id on every piece of a call ("0", or empty): not a call's id. The gateway makes one.
  const withoutIds: Emit<ChatDelta> = (event) =>
    emit(event.toolCallDeltas.some((d) => d.id !== undefined) ? { ...event, toolCallDeltas: event.toolCallDeltas.map(({ id: _id, ...delta }) => delta) } : event);
  return chatEvents(withoutIds, { inferStopFrom: request.parameters.stop });
}

/** The same over a body given as chunks. */
export function decodeTgiChatStream(body: AsyncIterable<Uint8Array>, request: ChatRequest): AsyncGenerator<ChatDelta, void, undefined> {
  return decodeIterable(body, (emit) => tgiChatEvents(emit, request));
}
