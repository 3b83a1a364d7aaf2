// Reads the body of /v1/completions and /v1/chat/completions into one neutral shape, for
// both protocols: TGI turns a BodyError into its 422 serde text, vLLM into a 400. Unknown
// fields are ignored (logprobs, tools, response_format...), as both servers accept them.

import { renderChat, type ChatMessage } from './chat-template.ts';
import { JsonNumber, unexpected, type JsonValue } from './json.ts';

export type OpenAiKind = 'chat' | 'completion';

export interface OpenAiRequest {
  kind: OpenAiKind;
  model: string | null;
  /** /v1/completions only. */
  prompt: string | null;
  /** /v1/chat/completions only. */
  messages: ChatMessage[] | null;
  /** max_tokens, or chat's max_completion_tokens. */
  maxTokens: number | null;
  temperature: number | null;
  topP: number | null;
  topK: number | null;
  repetitionPenalty: number | null;
  frequencyPenalty: number | null;
  presencePenalty: number | null;
  stop: string[];
  /** Signed: vLLM takes any 64-bit integer, TGI only a u64 (checked when mapping). */
  seed: bigint | null;
  stream: boolean;
  /** null when the body had no stream_options. */
  streamOptions: { includeUsage: boolean } | null;
  echo: boolean;
  returnTokenIds: boolean;
  truncatePromptTokens: number | null;
  n: number | null;
  /** Chat only (vLLM's chat template options): end the prompt with the assistant's turn ... */
  addGenerationPrompt: boolean;
  /** ... or continue the final (assistant) message instead, its text the start of the answer. */
  continueFinalMessage: boolean;
}

export class BodyError extends Error {
  readonly param: string;

  constructor(param: string, message: string) {
    super(message);
    this.param = param;
  }
}

type JsonObject = { [key: string]: JsonValue };

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

function fail(path: string, value: JsonValue, expected: string): never {
  throw new BodyError(path.split(/[.[]/)[0] ?? path, `${path}: invalid type: ${unexpected(value)}, expected ${expected}`);
}

function float(path: string, value: JsonValue): number | null {
  if (value === null) return null;
  if (!(value instanceof JsonNumber)) fail(path, value, 'a number');
  return value.value;
}

function integer(path: string, value: JsonValue): number | null {
  if (value === null) return null;
  if (!(value instanceof JsonNumber) || !value.isInteger || !Number.isSafeInteger(value.value)) fail(path, value, 'an integer');
  return value.value;
}

function seedOf(value: JsonValue): bigint | null {
  if (value === null) return null;
  if (!(value instanceof JsonNumber) || !value.isInteger) fail('seed', value, 'an integer');
  const seed = BigInt(value.source);
  if (seed < -(2n ** 63n) || seed >= 2n ** 64n) throw new BodyError('seed', `seed: integer \`${value.source}\` out of range`);
  return seed;
}

function flag(path: string, value: JsonValue): boolean {
  if (value === null) return false;
  if (typeof value !== 'boolean') fail(path, value, 'a boolean');
  return value;
}

/** OpenAI takes one stop string or a list of them. */
function stopOf(value: JsonValue): string[] {
  if (value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) fail('stop', value, 'a string or a sequence of strings');
  return value.map((item, index) => (typeof item === 'string' ? item : fail(`stop[${index}]`, item, 'a string')));
}

function streamOptionsOf(value: JsonValue): OpenAiRequest['streamOptions'] {
  if (value === null) return null;
  if (!isObject(value)) fail('stream_options', value, 'an object');
  return { includeUsage: flag('stream_options.include_usage', value['include_usage'] ?? null) };
}

/** The simulator serves one prompt per request: a string, or a list holding one string. */
function promptOf(value: JsonValue | undefined): string {
  if (value === undefined) throw new BodyError('prompt', 'missing field `prompt`');
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  return fail('prompt', value, 'a string (the simulator takes one prompt per request)');
}

/** Content is a string, null (an assistant turn with tool calls) or a list of text parts. */
function contentOf(path: string, value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) fail(path, value, 'a string or a sequence of content parts');
  return value
    .map((part, index) => {
      const text = isObject(part) ? part['text'] : undefined;
      return typeof text === 'string' ? text : fail(`${path}[${index}]`, part, 'a text content part');
    })
    .join('');
}

function messagesOf(value: JsonValue | undefined): ChatMessage[] {
  if (value === undefined) throw new BodyError('messages', 'missing field `messages`');
  if (!Array.isArray(value)) fail('messages', value, 'a sequence');
  return value.map((message, index) => {
    const path = `messages[${index}]`;
    if (!isObject(message)) fail(path, message, 'a message object');
    const role = message['role'];
    if (role === undefined) throw new BodyError('messages', `${path}: missing field \`role\``);
    if (typeof role !== 'string') fail(`${path}.role`, role, 'a string');
    return { role, content: contentOf(`${path}.content`, message['content']) };
  });
}

/** Throws a BodyError naming the first malformed field. */
export function decodeOpenAiRequest(body: JsonValue, kind: OpenAiKind): OpenAiRequest {
  if (!isObject(body)) throw new BodyError('body', `invalid type: ${unexpected(body)}, expected a JSON object`);
  const field = (name: string): JsonValue => body[name] ?? null;
  const model = field('model');
  if (model !== null && typeof model !== 'string') fail('model', model, 'a string');
  const maxTokens = integer('max_tokens', field('max_tokens'));
  const maxCompletionTokens = kind === 'chat' ? integer('max_completion_tokens', field('max_completion_tokens')) : null;
  return {
    kind,
    model,
    prompt: kind === 'completion' ? promptOf(body['prompt']) : null,
    messages: kind === 'chat' ? messagesOf(body['messages']) : null,
    maxTokens: maxCompletionTokens ?? maxTokens,
    temperature: float('temperature', field('temperature')),
    topP: float('top_p', field('top_p')),
    topK: integer('top_k', field('top_k')),
    repetitionPenalty: float('repetition_penalty', field('repetition_penalty')),
    frequencyPenalty: float('frequency_penalty', field('frequency_penalty')),
    presencePenalty: float('presence_penalty', field('presence_penalty')),
    stop: stopOf(field('stop')),
    seed: seedOf(field('seed')),
    stream: flag('stream', field('stream')),
    streamOptions: streamOptionsOf(field('stream_options')),
    echo: kind === 'completion' && flag('echo', field('echo')),
    returnTokenIds: flag('return_token_ids', field('return_token_ids')),
    truncatePromptTokens: integer('truncate_prompt_tokens', field('truncate_prompt_tokens')),
    n: integer('n', field('n')),
    // vLLM's defaults: a generation prompt, no continued message.
    addGenerationPrompt: body['add_generation_prompt'] === undefined ? true : flag('add_generation_prompt', field('add_generation_prompt')),
    continueFinalMessage: flag('continue_final_message', field('continue_final_message')),
  };
}

/** The prompt the model sees: the completion prompt, or the messages through the chat template. */
export function renderedPrompt(request: OpenAiRequest): string {
  if (request.messages === null) return request.prompt ?? '';
  return renderChat(request.messages, request.continueFinalMessage ? 'continue' : request.addGenerationPrompt ? 'answer' : 'none');
}
