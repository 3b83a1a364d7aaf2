// The chat scenario's request, at both ends: the `ChatInput` a client sends to
// `chatStream`, and the `/v1/chat/completions` body the gateway builds from it
// (src/openai/chat-wire.ts buildChatRequest with request.ts samplingFields:
// model, messages, max_tokens, temperature, top_p, seed, stream, then
// stream_options). The direct runs, the floor proxy's chatStream wrapper and
// the expected texts all send this body, so the simulator plans the very same
// tokens whichever path a request took.
import type { GenerationInput } from './tgi-body.ts';

export type ChatProtocol = 'tgi' | 'openai';

/**
 * The `model` of the body: TGI's Messages API does not route on it and the
 * gateway sends 'tgi' (src/tgi/chat.ts); an OpenAI-compatible server checks it
 * against its served name, which the gateway learns from `/v1/models`.
 */
export const CHAT_MODEL: Record<ChatProtocol, string> = { tgi: 'tgi', openai: 'bench-served-sim' };

/** Sampling as the streaming scenario's generateStream has it (the schema's defaults there). */
const TEMPERATURE = 0.7;
const TOP_P = 0.95;

export interface ChatMessageInput {
  role: 'SYSTEM' | 'USER' | 'ASSISTANT';
  content: string;
}

/** The fields of `ChatInput` the bench sets. */
export interface ChatInputVariables {
  modelId: string;
  messages: ChatMessageInput[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  /** The bench's seeds are small integers: a JSON number holds them exactly. */
  seed?: number;
}

/** One user turn holding the bench's prompt. */
export function chatInput(modelId: string, input: GenerationInput): ChatInputVariables {
  return {
    modelId,
    messages: [{ role: 'USER', content: input.prompt }],
    maxTokens: input.maxNewTokens,
    temperature: TEMPERATURE,
    topP: TOP_P,
    ...(input.seed === undefined ? {} : { seed: input.seed }),
  };
}

/**
 * The body for `ChatInput` as the gateway writes it: unset fields left out, roles in
 * lower case. topP < 1 here, which both dialects send (TGI's leaves out only topP 1).
 */
export function chatBody(input: ChatInputVariables, model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: input.messages.map((m) => ({ role: m.role.toLowerCase(), content: m.content })),
    ...(input.maxTokens === undefined ? {} : { max_tokens: input.maxTokens }),
    ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
    ...(input.topP === undefined ? {} : { top_p: input.topP }),
    ...(input.seed === undefined ? {} : { seed: input.seed }),
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  });
}
