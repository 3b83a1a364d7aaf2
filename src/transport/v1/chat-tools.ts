// OpenAI's tool calling and response formats read onto the service's chat
// input (src/generation/tool-input.ts): `tools[].function`, `tool_choice` as a
// word or a named function, `response_format` with its `json_schema`, and the
// calls and results of earlier turns. The shape is checked here; the rules
// (names, schemas that compile, ids that match) are the service's, as for GraphQL.
import { z } from 'zod';
import type { ChatInput } from '../../generation/input.ts';
import type { ResponseFormatInput, ToolCallInput, ToolChoiceInput, ToolInput } from '../../generation/tool-input.ts';

const text = (what = 'must be a string') => z.string({ error: what });
/** A JSON Schema: an object; the service checks that it compiles. */
const schema = z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' });

const FunctionTool = z.object(
  {
    type: z.literal('function', { error: 'must be "function" (the only kind of tool relayed)' }),
    function: z.object({ name: text(), description: text().nullish(), parameters: schema.nullish() }, { error: 'must be an object' }),
  },
  { error: 'must be an object' },
);

const ToolChoice = z.union(
  [z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: text() }) })],
  { error: 'must be "none", "auto", "required" or {"type": "function", "function": {"name": …}}' },
);

const ResponseFormat = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({ type: z.literal('json_schema'), json_schema: z.object({ name: text(), schema: schema.nullish(), description: text().nullish(), strict: z.boolean().nullish() }, { error: 'must be an object with name and schema' }) }),
  ],
  { error: 'must be {"type": "text"}, {"type": "json_object"} or {"type": "json_schema", "json_schema": {…}}' },
);

/** The tool fields of a chat body, under OpenAI's names. */
export const TOOL_FIELDS = {
  tools: z.array(FunctionTool, { error: 'must be a list of tools' }).nullish(),
  tool_choice: ToolChoice.nullish(),
  parallel_tool_calls: z.boolean({ error: 'must be a boolean' }).nullish(),
  response_format: ResponseFormat.nullish(),
};

/** A call an earlier assistant turn made. */
export const ToolCallField = z.object(
  { id: text(), type: z.literal('function', { error: 'must be "function"' }).optional(), function: z.object({ name: text(), arguments: text('must be JSON text (a string)') }) },
  { error: 'must be an object' },
);

type ToolBody = { [K in keyof typeof TOOL_FIELDS]?: z.output<(typeof TOOL_FIELDS)[K]> };
type ToolChatFields = Pick<ChatInput, 'tools' | 'toolChoice' | 'parallelToolCalls' | 'responseFormat'>;

export function toolChatFields(body: ToolBody): ToolChatFields {
  const fields: ToolChatFields = {};
  if (body.tools) fields.tools = body.tools.map(toolInput);
  if (body.tool_choice) fields.toolChoice = toolChoice(body.tool_choice);
  if (body.parallel_tool_calls !== null && body.parallel_tool_calls !== undefined) fields.parallelToolCalls = body.parallel_tool_calls;
  if (body.response_format) fields.responseFormat = responseFormat(body.response_format);
  return fields;
}

export const toolCallInput = (call: z.output<typeof ToolCallField>): ToolCallInput => ({ id: call.id, name: call.function.name, arguments: call.function.arguments });

function toolInput({ function: f }: z.output<typeof FunctionTool>): ToolInput {
  return { name: f.name, description: f.description ?? null, parameters: f.parameters ?? null };
}

function toolChoice(choice: z.output<typeof ToolChoice>): ToolChoiceInput {
  if (typeof choice === 'string') return { mode: choice === 'none' ? 'NONE' : choice === 'auto' ? 'AUTO' : 'REQUIRED' };
  return { function: choice.function.name };
}

function responseFormat(format: z.output<typeof ResponseFormat>): ResponseFormatInput {
  if (format.type === 'text') return { type: 'TEXT' };
  if (format.type === 'json_object') return { type: 'JSON_OBJECT' };
  return { type: 'JSON_SCHEMA', name: format.json_schema.name, schema: format.json_schema.schema ?? null };
}
