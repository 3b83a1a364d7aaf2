// Reads the body of /v1/completions and /v1/chat/completions into one neutral shape, for
// both protocols: TGI turns a BodyError into its 422 serde text, vLLM into a 400. Unknown
// fields are ignored (logprobs...), as both servers accept them. Tools, tool_choice and
// response_format are read for chat (tool-answer.ts answers them); response_format in the
// protocol's own shape: OpenAI's `json_schema`, or TGI's grammar `{type: json, value}`.

import { renderChat, type ChatMessage } from './chat-template.ts';
import { JsonNumber, unexpected, type JsonValue } from './json.ts';
import type { Plain, SimTool, SimToolChoice, Structured } from './tool-answer.ts';

/** How the server reads `response_format`. */
export type FormatDialect = 'openai' | 'tgi';

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
  /** Chat only: tools, tool_choice and a JSON response format. */
  structured: Structured;
  /** Whether `tool_choice` was sent at all (absent with tools means auto). */
  toolChoiceSent: boolean;
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

/** A JSON value without the parser's number wrappers. */
function plain(value: JsonValue): Plain {
  if (value instanceof JsonNumber) return value.value;
  if (Array.isArray(value)) return value.map(plain);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function toolsOf(value: JsonValue): SimTool[] {
  if (value === null) return [];
  if (!Array.isArray(value)) fail('tools', value, 'a sequence');
  return value.map((tool, index) => {
    const path = `tools[${index}]`;
    const fn = isObject(tool) ? tool['function'] : undefined;
    if (!isObject(tool) || !isObject(fn ?? null)) fail(path, tool, 'a tool object with a function');
    const name = (fn as JsonObject)['name'];
    if (typeof name !== 'string') throw new BodyError('tools', `${path}.function: missing field \`name\``);
    const parameters = (fn as JsonObject)['parameters'] ?? null;
    if (parameters !== null && !isObject(parameters)) fail(`${path}.function.parameters`, parameters, 'an object');
    return { name, parameters: parameters === null ? null : (plain(parameters) as SimTool['parameters']) };
  });
}

function toolChoiceOf(value: JsonValue): SimToolChoice | null {
  if (value === null) return null;
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  const fn = isObject(value) ? value['function'] : undefined;
  if (isObject(fn ?? null) && typeof (fn as JsonObject)['name'] === 'string') return { name: (fn as JsonObject)['name'] as string };
  return fail('tool_choice', value, '"auto", "none", "required" or a named function');
}

function formatOf(value: JsonValue, dialect: FormatDialect): Structured['json'] {
  if (value === null) return null;
  if (!isObject(value)) fail('response_format', value, 'an object');
  const type = value['type'];
  if (dialect === 'tgi') {
    // TGI's grammar: {type: "json" (or its alias "json_object"), value: <schema>}; "regex" is not simulated.
    if (type !== 'json' && type !== 'json_object') throw new BodyError('response_format', `response_format: unknown variant \`${String(type)}\`, expected \`json\` or \`regex\``);
    const schema = value['value'] ?? null;
    if (!isObject(schema)) fail('response_format.value', schema, 'a JSON schema object');
    return { schema: plain(schema) as NonNullable<Structured['json']>['schema'] };
  }
  if (type === 'text') return null;
  if (type === 'json_object') return { schema: null };
  if (type === 'json_schema') {
    const spec = value['json_schema'] ?? null;
    const schema = isObject(spec) ? (spec['schema'] ?? null) : null;
    if (!isObject(schema)) fail('response_format.json_schema.schema', schema, 'a JSON schema object');
    return { schema: plain(schema) as NonNullable<Structured['json']>['schema'] };
  }
  throw new BodyError('response_format', `response_format.type must be text, json_object or json_schema, got ${unexpected(type ?? null)}`);
}

/** Throws a BodyError naming the first malformed field. */
export function decodeOpenAiRequest(body: JsonValue, kind: OpenAiKind, formats: FormatDialect = 'openai'): OpenAiRequest {
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
    structured: {
      tools: kind === 'chat' ? toolsOf(field('tools')) : [],
      toolChoice: kind === 'chat' ? toolChoiceOf(field('tool_choice')) : null,
      json: kind === 'chat' ? formatOf(field('response_format'), formats) : null,
    },
    toolChoiceSent: field('tool_choice') !== null,
  };
}

/** The prompt the model sees: the completion prompt, or the messages through the chat template. */
export function renderedPrompt(request: OpenAiRequest): string {
  return request.messages !== null ? renderChat(request.messages) : (request.prompt ?? '');
}
