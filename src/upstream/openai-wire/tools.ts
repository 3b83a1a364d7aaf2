// Tool calls and structured output on an OpenAI-shaped chat route: the
// request's `tools`, `tool_choice`, `parallel_tool_calls` and the
// conversation's calls and results, and reading calls back from an answer
// (`message.tool_calls`) or a stream (`delta.tool_calls`). `response_format`
// differs per server (OpenAI's `json_schema` against TGI's grammar), so each
// adapter says how it writes one.
import type { ChatMessage, ChatRequest, ResponseFormat, ToolCall, ToolCallDelta, ToolChoice } from '../types.ts';
import { isObject, protocolError, type Json } from '../json.ts';
import type { WireChatMessage, WireChatRequest, WireToolChoice } from './wire.ts';

/** How a server takes a response format; undefined: it is left out (TEXT is every server's default). */
export type ResponseFormatWriter = (format: ResponseFormat) => object | undefined;

/** OpenAI's own: vLLM, SGLang, llama.cpp and Ollama take it. */
export const OPENAI_RESPONSE_FORMAT: ResponseFormatWriter = (format) => {
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      return { type: 'json_schema', json_schema: { name: format.name, schema: format.schema } };
  }
};

export function wireMessage(m: ChatMessage): WireChatMessage {
  switch (m.role) {
    case 'tool':
      return { role: 'tool', content: m.content, tool_call_id: m.toolCallId };
    case 'assistant':
      if (!m.toolCalls || m.toolCalls.length === 0) return { role: 'assistant', content: m.content };
      return {
        role: 'assistant',
        content: m.content.length > 0 ? m.content : null,
        tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
      };
    default:
      return { role: m.role, content: m.content };
  }
}

const wireChoice = (choice: ToolChoice): WireToolChoice =>
  'function' in choice ? { type: 'function', function: { name: choice.function } } : choice.mode;

/** The request's tool fields, as the route takes them; nothing when the client set none. */
export function toolRequestFields(request: ChatRequest, responseFormat: ResponseFormatWriter): Partial<WireChatRequest> {
  const fields: Partial<WireChatRequest> = {};
  if (request.tools) {
    fields.tools = request.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, ...(t.description === undefined ? {} : { description: t.description }), ...(t.parameters ? { parameters: t.parameters } : {}) },
    }));
  }
  // Without tools only NONE gets here, which is what no tools means: vLLM refuses a tool_choice without tools.
  if (request.toolChoice && request.tools) fields.tool_choice = wireChoice(request.toolChoice);
  if (request.parallelToolCalls !== undefined) fields.parallel_tool_calls = request.parallelToolCalls;
  const format = request.responseFormat && responseFormat(request.responseFormat);
  if (format) fields.response_format = format;
  return fields;
}

/** Arguments as text: TGI's unary answer gives them as a JSON object, the others as a string. */
function argumentsText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  throw protocolError('malformed tool call arguments');
}

/** The calls of a non-streamed answer's message; ids as the server gave them (the gateway makes up missing ones). */
export function messageToolCalls(message: Json): ToolCall[] {
  const calls = message.tool_calls;
  if (calls === undefined || calls === null) return [];
  if (!Array.isArray(calls)) throw protocolError('malformed tool_calls');
  return calls.map((call: unknown): ToolCall => {
    if (!isObject(call) || !isObject(call.function) || typeof call.function.name !== 'string') throw protocolError('malformed tool call');
    return { id: typeof call.id === 'string' ? call.id : '', name: call.function.name, arguments: argumentsText(call.function.arguments) };
  });
}

/** A stream chunk's call pieces (TGI 2.x sends one object, not a list). */
export function deltaToolCalls(delta: Json): ToolCallDelta[] {
  const raw = delta.tool_calls;
  if (raw === undefined || raw === null) return [];
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  return list.map((piece, position): ToolCallDelta => {
    if (!isObject(piece)) throw protocolError('malformed tool call delta');
    const fn = isObject(piece.function) ? piece.function : {};
    const index = typeof piece.index === 'number' && Number.isSafeInteger(piece.index) && piece.index >= 0 ? piece.index : position;
    const out: ToolCallDelta = { index, argumentsDelta: argumentsText(fn.arguments) };
    if (typeof piece.id === 'string' && piece.id.length > 0) out.id = piece.id;
    if (typeof fn.name === 'string' && fn.name.length > 0) out.name = fn.name;
    return out;
  });
}
