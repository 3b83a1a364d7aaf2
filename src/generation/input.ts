// What clients ask for, defined once: the shapes of a generation and of a chat
// turn, from which the TypeScript types are inferred. GraphQL's input types are
// checked against these types when the schema is built (src/schema/), and JSON
// clients' bodies (REST) are parsed through the schemas themselves
// (json-input.ts). Only the shape lives here: each protocol's ranges are rules
// of validate.ts, which knows the model's server.
//
// GraphQL never runs these schemas: graphql-js has already coerced the input
// to the same shape, with its own messages. The messages below are what a JSON
// client reads when a field holds the wrong kind of value.
import { z } from 'zod';
import { SEED_RULE } from './seed.ts';
import { TOOL_CHAT_FIELDS, TOOL_MESSAGE_FIELDS } from './tool-input.ts';

/** The defaults of the public contract (API.md), applied by GraphQL itself and by the schema below. */
export const INPUT_DEFAULTS = {
  maxNewTokens: 200,
  temperature: 0.7,
  topP: 0.95,
  repetitionPenalty: 1.0,
} as const;

const requiredText = () => z.string({ error: 'is required and must be a string' });
const integer = () => z.int({ error: 'must be an integer' }).nullish();
const number = () => z.number({ error: 'must be a number' }).nullish();
const flag = () => z.boolean({ error: 'must be a boolean' }).nullish();
const LIST_OF_STRINGS = 'must be a list of strings';
const texts = () => z.array(z.string({ error: LIST_OF_STRINGS }), { error: LIST_OF_STRINGS }).nullish();
/** A u64, exact: the edges read a client's digits into a bigint (seed.ts) before the shape is checked. */
const seed = () => z.bigint({ error: `${SEED_RULE}, as a JSON number or a string of decimal digits` }).nullish();

/** One generation from a raw prompt, with TGI's parameters (other servers take their equivalents). */
export const GenerateInputSchema = z.object(
  {
    modelId: requiredText(),
    prompt: requiredText(),
    maxNewTokens: integer().default(INPUT_DEFAULTS.maxNewTokens),
    temperature: number().default(INPUT_DEFAULTS.temperature),
    topP: number().default(INPUT_DEFAULTS.topP),
    repetitionPenalty: number().default(INPUT_DEFAULTS.repetitionPenalty),
    topK: integer(),
    stop: texts(),
    seed: seed(),
    doSample: flag(),
    truncate: integer(),
    typicalP: number(),
    frequencyPenalty: number(),
    returnFullText: flag(),
    watermark: flag(),
  },
  { error: 'must be a JSON object' },
);

/**
 * A generation request as clients state it: optional fields null or absent.
 * The input side of the schema, defaults not yet applied, because the service
 * needs none (GraphQL and REST apply them; a test or a script may not).
 */
export type GenerateInput = z.input<typeof GenerateInputSchema>;

export const ChatRoleSchema = z.enum(['SYSTEM', 'USER', 'ASSISTANT', 'TOOL']);

export const ChatMessageInputSchema = z.object({
  role: ChatRoleSchema,
  content: z.string(),
  ...TOOL_MESSAGE_FIELDS,
});

/** One chat turn: the conversation so far, and sampling parameters. */
export const ChatInputSchema = z.object({
  modelId: requiredText(),
  messages: z.array(ChatMessageInputSchema).readonly(),
  maxTokens: integer(),
  temperature: number(),
  topP: number(),
  stop: texts(),
  seed: seed(),
  frequencyPenalty: number(),
  presencePenalty: number(),
  ...TOOL_CHAT_FIELDS,
});

export type ChatMessageInput = z.infer<typeof ChatMessageInputSchema>;
/** A chat request as clients state it (see GenerateInput). */
export type ChatInput = z.input<typeof ChatInputSchema>;
