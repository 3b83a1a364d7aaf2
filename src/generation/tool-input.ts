// The shapes of tool calling and structured output as clients state them:
// the tools a chat turn offers, which one it must call, the answer's format,
// and the calls and results earlier turns carried. Only the shape lives here;
// the rules (names, schemas that compile, ids that match) are tool-rules.ts's.
import { z } from 'zod';

/** Any JSON value (GraphQL's JSON scalar, or a JSON body, parsed it); tool-rules.ts reads it as untrusted. */
export const JsonSchema = z.custom<NonNullable<unknown>>((value) => value !== undefined && value !== null);

export const ToolCallInputSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The arguments as JSON text, as the model produced them. */
  arguments: z.string(),
});

export const ToolInputSchema = z.object({
  name: z.string(),
  description: z.string().nullish(),
  /** A JSON Schema for the arguments (an object schema); absent: no arguments. */
  parameters: JsonSchema.nullish(),
});

export const ToolChoiceModeSchema = z.enum(['AUTO', 'NONE', 'REQUIRED']);

/** Exactly one of the two (tool-rules.ts checks it). */
export const ToolChoiceInputSchema = z.object({
  mode: ToolChoiceModeSchema.nullish(),
  function: z.string().nullish(),
});

export const ResponseFormatTypeSchema = z.enum(['TEXT', 'JSON_OBJECT', 'JSON_SCHEMA']);

export const ResponseFormatInputSchema = z.object({
  type: ResponseFormatTypeSchema,
  /** JSON_SCHEMA only: the schema's name and the schema itself. */
  name: z.string().nullish(),
  schema: JsonSchema.nullish(),
});

/** What a chat message may carry besides its role and content. */
export const TOOL_MESSAGE_FIELDS = {
  toolCalls: z.array(ToolCallInputSchema).readonly().nullish(),
  toolCallId: z.string().nullish(),
};

/** What a chat turn may ask besides its messages and sampling. */
export const TOOL_CHAT_FIELDS = {
  tools: z.array(ToolInputSchema).readonly().nullish(),
  toolChoice: ToolChoiceInputSchema.nullish(),
  parallelToolCalls: z.boolean().nullish(),
  responseFormat: ResponseFormatInputSchema.nullish(),
};

export type ToolCallInput = z.infer<typeof ToolCallInputSchema>;
export type ToolInput = z.input<typeof ToolInputSchema>;
export type ToolChoiceInput = z.input<typeof ToolChoiceInputSchema>;
export type ResponseFormatInput = z.input<typeof ResponseFormatInputSchema>;
