// Tool calling and structured output, checked before any upstream call:
// every rule of the contract (API.md § Tool calls), each refusal a
// BAD_USER_INPUT naming the field. What passes becomes the neutral request
// fields (tools, choice, format, the conversation's calls and results) and
// the checks the answer will get (answer-checks.ts).
import { badInput } from '../errors.ts';
import type { ChatMessage, ChatRequest, JsonObject, ResponseFormat, ToolChoice, ToolDefinition } from '../upstream/types.ts';
import type { ChatInput, ChatMessageInput } from './input.ts';
import { checkBounds, SchemaRefused } from './json-schemas.ts';
import { compileSchemas } from './schema-checker.ts';

export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_TOOLS = 128;

/** A client's schema as JSON text: the schema worker's cache key (schema-checker.ts). */
export type SchemaText = string;

/** What the answer is checked against: each tool's arguments schema, and the content's format. */
export interface AnswerChecks {
  /** Every tool offered, by name; undefined where it takes no arguments schema. */
  readonly tools: ReadonlyMap<string, SchemaText | undefined>;
  /** `text`: not JSON; `json`: any JSON, or JSON that holds `schema`. */
  readonly content: { kind: 'text' } | { kind: 'json'; schema?: SchemaText };
}

/** A schema to compile before the call, and where it stands in the request. */
interface Pending {
  field: string;
  what: string;
  text: SchemaText;
}

/** What a model's servers can take, for the rules that depend on them. */
export interface ToolSupport {
  /** TGI_<KEY>_TOOLS: false, tools are refused. */
  readonly tools: boolean;
  /** TGI applies one grammar per request: tools or a JSON format, not both. */
  readonly toolsWithJsonFormat: boolean;
  readonly serverKind: string;
}

export type ToolFields = Pick<ChatRequest, 'tools' | 'toolChoice' | 'parallelToolCalls' | 'responseFormat'>;

const isSet = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;
/** An empty list offers no tools, as an absent one: nothing is sent. */
const offersTools = (input: ChatInput): input is ChatInput & { tools: NonNullable<ChatInput['tools']> } => isSet(input.tools) && input.tools.length > 0;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Bounded here (one cheap pass), compiled later with the request's other schemas, in the worker. */
function bounded(field: string, what: string, schema: JsonObject, pending: Pending[]): SchemaText {
  try {
    checkBounds(schema);
  } catch (error) {
    if (error instanceof SchemaRefused) throw badInput(field, `${what} is refused: ${error.message}`);
    throw error;
  }
  const text = JSON.stringify(schema);
  pending.push({ field, what, text });
  return text;
}

/** Compiles every schema of the request at once; the first refused is the request's refusal. */
async function compileAll(pending: readonly Pending[]): Promise<void> {
  try {
    await compileSchemas(pending.map((p) => p.text));
  } catch (error) {
    if (!(error instanceof SchemaRefused)) throw error;
    const at = pending[error.index] ?? pending[0]!;
    throw badInput(at.field, `${at.what} is refused: ${error.message}`);
  }
}

function checkTools(input: ChatInput, support: ToolSupport, pending: Pending[]): { tools?: ToolDefinition[]; checks: Map<string, SchemaText | undefined> } {
  const checks = new Map<string, SchemaText | undefined>();
  if (!offersTools(input)) return { checks };
  if (!support.tools) throw badInput('tools', "tools are not supported by this model's servers");
  if (input.tools.length > MAX_TOOLS) throw badInput('tools', `tools must hold at most ${MAX_TOOLS} tools. Given: ${input.tools.length}`);
  const tools = input.tools.map((tool, i): ToolDefinition => {
    if (!TOOL_NAME.test(tool.name)) throw badInput('tools', `tools[${i}].name must be 1 to 64 letters, digits, _ or -`);
    if (checks.has(tool.name)) throw badInput('tools', `tools[${i}].name "${tool.name}" is given twice; tool names must be unique`);
    const definition: ToolDefinition = { name: tool.name };
    if (isSet(tool.description)) definition.description = tool.description;
    let check: SchemaText | undefined;
    if (isSet(tool.parameters)) {
      const schema = tool.parameters;
      if (!isObject(schema) || schema.type !== 'object') {
        throw badInput('tools', `tools[${i}].parameters must be an object schema (a JSON Schema with "type": "object")`);
      }
      check = bounded('tools', `tools[${i}].parameters`, schema, pending);
      definition.parameters = schema;
    }
    checks.set(tool.name, check);
    return definition;
  });
  return { tools, checks };
}

const MODES = { AUTO: 'auto', NONE: 'none', REQUIRED: 'required' } as const;

function checkToolChoice(input: ChatInput, tools: ReadonlyMap<string, unknown>): ToolChoice | undefined {
  const choice = input.toolChoice;
  // Absent with tools is AUTO, said explicitly: servers differ in their default (TGI 2 forced a call).
  if (!isSet(choice)) return offersTools(input) ? { mode: 'auto' } : undefined;
  const { mode, function: name } = choice;
  if (isSet(mode) === isSet(name)) throw badInput('toolChoice', 'toolChoice must set exactly one of mode and function');
  if (!offersTools(input) && mode !== 'NONE') throw badInput('toolChoice', 'toolChoice needs tools (only mode NONE may come without them)');
  if (isSet(name)) {
    if (!tools.has(name)) throw badInput('toolChoice', `toolChoice.function names "${name.slice(0, 64)}", which is not one of the tools given`);
    return { function: name };
  }
  return { mode: MODES[mode!] };
}

function checkResponseFormat(input: ChatInput, pending: Pending[]): { format?: ResponseFormat; content: AnswerChecks['content'] } {
  const format = input.responseFormat;
  if (!isSet(format)) return { content: { kind: 'text' } };
  if (format.type !== 'JSON_SCHEMA') {
    if (isSet(format.name) || isSet(format.schema)) throw badInput('responseFormat', 'responseFormat.name and schema go only with type JSON_SCHEMA');
    return format.type === 'TEXT' ? { format: { type: 'text' }, content: { kind: 'text' } } : { format: { type: 'json_object' }, content: { kind: 'json' } };
  }
  if (!isSet(format.name) || !TOOL_NAME.test(format.name)) {
    throw badInput('responseFormat', 'responseFormat.name is required with JSON_SCHEMA: 1 to 64 letters, digits, _ or -');
  }
  if (!isSet(format.schema)) throw badInput('responseFormat', 'responseFormat.schema is required with JSON_SCHEMA');
  if (!isObject(format.schema)) throw badInput('responseFormat', 'responseFormat.schema must be a JSON Schema object');
  const schema = bounded('responseFormat', 'responseFormat.schema', format.schema, pending);
  return { format: { type: 'json_schema', name: format.name, schema: format.schema }, content: { kind: 'json', schema } };
}

const isJsonText = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** The conversation, its calls and results checked: ids unique and answered only once called. */
export function chatMessages(messages: readonly ChatMessageInput[]): ChatMessage[] {
  const called = new Set<string>();
  return messages.map((m, i): ChatMessage => {
    if (isSet(m.toolCallId) && m.role !== 'TOOL') throw badInput('messages', `messages[${i}]: only TOOL messages have a toolCallId`);
    if (isSet(m.toolCalls) && m.role !== 'ASSISTANT') throw badInput('messages', `messages[${i}]: only ASSISTANT messages have toolCalls`);
    switch (m.role) {
      case 'SYSTEM':
        return { role: 'system', content: m.content };
      case 'USER':
        return { role: 'user', content: m.content };
      case 'TOOL': {
        if (!isSet(m.toolCallId)) throw badInput('messages', `messages[${i}]: a TOOL message needs the toolCallId of the call it answers`);
        if (!called.has(m.toolCallId)) throw badInput('messages', `messages[${i}]: toolCallId "${m.toolCallId.slice(0, 64)}" answers no call of an earlier assistant message`);
        return { role: 'tool', content: m.content, toolCallId: m.toolCallId };
      }
      case 'ASSISTANT': {
        if (!isSet(m.toolCalls) || m.toolCalls.length === 0) return { role: 'assistant', content: m.content };
        for (const [j, call] of m.toolCalls.entries()) {
          if (called.has(call.id)) throw badInput('messages', `messages[${i}].toolCalls[${j}]: id "${call.id.slice(0, 64)}" is used twice in the conversation`);
          if (!isJsonText(call.arguments)) throw badInput('messages', `messages[${i}].toolCalls[${j}].arguments must be JSON text`);
          called.add(call.id);
        }
        return { role: 'assistant', content: m.content, toolCalls: m.toolCalls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })) };
      }
    }
  });
}

/** The request's tool and format fields, checked; and what its answer will be checked against. */
export async function toolFields(input: ChatInput, support: ToolSupport): Promise<{ fields: ToolFields; checks: AnswerChecks }> {
  const pending: Pending[] = [];
  const { tools, checks } = checkTools(input, support, pending);
  const toolChoice = checkToolChoice(input, checks);
  const { format, content } = checkResponseFormat(input, pending);
  if (tools && content.kind === 'json' && !support.toolsWithJsonFormat) {
    throw badInput('responseFormat', `tools and a JSON responseFormat cannot go together on ${support.serverKind} (it applies one grammar per request)`);
  }
  await compileAll(pending);
  const fields: ToolFields = {};
  if (tools) fields.tools = tools;
  if (toolChoice) fields.toolChoice = toolChoice;
  if (isSet(input.parallelToolCalls)) fields.parallelToolCalls = input.parallelToolCalls;
  if (format) fields.responseFormat = format;
  return { fields, checks: { tools: checks, content } };
}

