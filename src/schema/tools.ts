// Tool calls and structured output in the schema: the tools a chat turn
// offers and the format it asks for (inputs, checked before any upstream call
// by generation/tool-rules.ts), and the calls a model makes (outputs, checked
// after by generation/answer-checks.ts). chat.ts spreads the input fields into
// its own types; chat-tools.ts adds the output fields to chat's types.
import type { CheckedToolCall, TypedToolCallDelta } from '../generation/chat-answer.ts';
import {
  ResponseFormatTypeSchema,
  ToolChoiceModeSchema,
  type ResponseFormatInput,
  type ToolCallInput,
  type ToolChoiceInput,
  type ToolInput,
} from '../generation/tool-input.ts';
import { builder } from './builder.ts';
import { JsonRef } from './json.ts';
import type { EveryField } from './shared.ts';

/** The field builder an input type's fields get. */
type InputFields = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

const ToolCallInputRef = builder.inputRef<ToolCallInput>('ToolCallInput').implement({
  description: 'A call an earlier assistant message made.',
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string({ required: true }),
    arguments: t.string({ required: true, description: 'The arguments as JSON text, as the model produced them.' }),
  }) satisfies EveryField<ToolCallInput>,
});

const ToolInputRef = builder.inputRef<ToolInput>('ToolInput').implement({
  description: 'A tool the model may call.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Letters, digits, _ and -; 1 to 64 characters; unique among the tools.' }),
    description: t.string(),
    parameters: t.field({ type: JsonRef, description: 'A JSON Schema for the arguments (an object schema). Absent: no arguments.' }),
  }) satisfies EveryField<ToolInput>,
});

const ToolChoiceMode = builder.enumType('ToolChoiceMode', { values: ToolChoiceModeSchema.options });

const ToolChoiceInputRef = builder.inputRef<ToolChoiceInput>('ToolChoiceInput').implement({
  description: 'Exactly one of the two.',
  fields: (t) => ({
    mode: t.field({ type: ToolChoiceMode }),
    function: t.string({ description: 'Force a call of this tool.' }),
  }) satisfies EveryField<ToolChoiceInput>,
});

const ResponseFormatType = builder.enumType('ResponseFormatType', { values: ResponseFormatTypeSchema.options });

const ResponseFormatInputRef = builder.inputRef<ResponseFormatInput>('ResponseFormatInput').implement({
  fields: (t) => ({
    type: t.field({ type: ResponseFormatType, required: true }),
    name: t.string({ description: 'JSON_SCHEMA: the schema\'s name and the schema itself.' }),
    schema: t.field({ type: JsonRef }),
  }) satisfies EveryField<ResponseFormatInput>,
});

/** ChatMessageInput's fields for tool calls. */
export const toolMessageFields = (t: InputFields) => ({
  toolCalls: t.field({ type: [ToolCallInputRef], description: 'An assistant message that called tools (content may then be empty).' }),
  toolCallId: t.id({ description: 'A TOOL message: the id of the call it answers.' }),
});

/** ChatInput's fields for tools and structured output. */
export const toolChatFields = (t: InputFields) => ({
  tools: t.field({ type: [ToolInputRef], description: 'At most 128. With tools and no toolChoice, the model chooses (AUTO).' }),
  toolChoice: t.field({ type: ToolChoiceInputRef, description: 'Only with tools, except mode NONE.' }),
  parallelToolCalls: t.boolean({ description: 'Whether the model may call several tools in one answer.' }),
  responseFormat: t.field({ type: ResponseFormatInputRef, description: 'TEXT (the default), any JSON object, or JSON that holds a schema.' }),
});

export const ToolCallRef = builder.objectRef<CheckedToolCall>('ToolCall').implement({
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Unique within the answer.' }),
    name: t.exposeString('name'),
    arguments: t.exposeString('arguments'),
    parsedArguments: t.field({
      type: JsonRef,
      nullable: true,
      description: 'The arguments parsed, or null when they are not valid JSON.',
      resolve: (c) => c.parsedArguments,
    }),
    validationErrors: t.exposeStringList('validationErrors', {
      description: "Where the arguments break the tool's parameters schema; empty when they hold.",
    }),
  }),
});

export const ToolCallDeltaRef = builder.objectRef<TypedToolCallDelta>('ToolCallDelta').implement({
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Which call of this answer (0, 1, … for parallel calls).' }),
    id: t.id({ nullable: true, description: "On the call's first delta only.", resolve: (d) => d.id ?? null }),
    name: t.string({ nullable: true, resolve: (d) => d.name ?? null }),
    argumentsDelta: t.exposeString('argumentsDelta', { description: 'The next piece of the arguments text (may be empty).' }),
    partialArguments: t.field({
      type: JsonRef,
      nullable: true,
      description: "The call's arguments so far as a partial JSON value: stream-stable, numbers and literals only once complete, only the last string growing.",
      resolve: (d) => d.partialArguments,
    }),
  }),
});
