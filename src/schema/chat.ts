// Chat over GraphQL: messages in, the reply out (`chat`), or its content
// deltas as the model server writes them (`chatStream`). The server applies
// the model's chat template: TGI's Messages API, or an OpenAI-compatible
// server's /v1/chat/completions.
import { ChatRoleSchema, type ChatInput, type ChatMessageInput } from '../generation/input.ts';
import type { ChatAnswer, ChatEvent } from '../generation/chat-answer.ts';
import { builder } from './builder.ts';
import { requestOf } from './context.ts';
import { SeedRef } from './seed.ts';
import { startsGeneration } from './starts-generation.ts';
import { FinishReason, TokenUsageRef, type EveryField } from './shared.ts';
import { relayStream, type StreamItem } from './stream-relay.ts';
import { toolChatFields, toolMessageFields } from './tools.ts';

const ChatRole = builder.enumType('ChatRole', { values: ChatRoleSchema.options });

// Typed against the one input schema (src/generation/input.ts), as GenerateInput is.
const ChatMessageInputRef = builder.inputRef<ChatMessageInput>('ChatMessageInput').implement({
  fields: (t) => ({
    role: t.field({ type: ChatRole, required: true }),
    content: t.string({ required: true }),
    ...toolMessageFields(t),
  }) satisfies EveryField<ChatMessageInput>,
});

const ChatInputRef = builder.inputRef<ChatInput>('ChatInput').implement({
  description: 'One chat turn: the conversation so far; checked before any upstream call.',
  fields: (t) => ({
    modelId: t.id({ required: true }),
    messages: t.field({ type: [ChatMessageInputRef], required: true, description: 'At least one.' }),
    maxTokens: t.int({ description: "At least 1; with the messages, within the model's context." }),
    temperature: t.float({ description: '0 or more; 0 is greedy decoding.' }),
    topP: t.float({ description: 'Above 0, at most 1.' }),
    stop: t.stringList({ description: "At most the model's stop-sequence limit (TGI: 4)." }),
    seed: t.field({ type: SeedRef }),
    frequencyPenalty: t.float({ description: 'From -2 to 2.' }),
    presencePenalty: t.float({ description: 'From -2 to 2.' }),
    ...toolChatFields(t),
  }) satisfies EveryField<ChatInput>,
});

export const ChatMessageRef = builder.objectRef<{ role: 'ASSISTANT'; content: string; toolCalls: ChatAnswer['toolCalls'] }>('ChatMessage').implement({
  fields: (t) => ({
    role: t.field({ type: ChatRole, resolve: (m) => m.role }),
    content: t.exposeString('content'),
  }),
});

export const ChatCompletionRef = builder.objectRef<ChatAnswer & { modelId: string }>('ChatCompletion').implement({
  fields: (t) => ({
    modelId: t.exposeID('modelId'),
    message: t.field({ type: ChatMessageRef, resolve: (c) => ({ role: 'ASSISTANT' as const, content: c.content, toolCalls: c.toolCalls }) }),
    finishReason: t.field({ type: FinishReason, resolve: (c) => c.finishReason }),
    usage: t.field({ type: TokenUsageRef, nullable: true, description: 'As the model server reported it; null when it reports none.', resolve: (c) => c.usage }),
  }),
});

type DeltaItem = Extract<StreamItem<ChatEvent>, { event: unknown }>;

export const ChatStreamEventRef = builder.objectRef<DeltaItem>('ChatStreamEvent').implement({
  description: 'Text, tool-call deltas, or both; only the last event carries finishReason, usage and the assembled toolCalls, and only it may be empty.',
  fields: (t) => ({
    modelId: t.exposeID('modelId'),
    index: t.exposeInt('index', { description: 'From 1.' }),
    delta: t.string({ resolve: (e) => e.event.delta }),
    finishReason: t.field({ type: FinishReason, nullable: true, resolve: (e) => e.event.finishReason }),
    usage: t.field({ type: TokenUsageRef, nullable: true, resolve: (e) => e.event.usage }),
  }),
});

builder.mutationField('chat', (t) =>
  t.field({
    type: ChatCompletionRef,
    description: "Runs one chat turn to its end and returns the assistant's reply.",
    extensions: startsGeneration,
    args: { input: t.arg({ type: ChatInputRef, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { generation } = ctx.services;
      const prepared = await generation.prepareChat(input, requestOf(ctx, 'chat'));
      const output = await generation.chat(prepared, ctx.signal);
      return { modelId: prepared.model.id, ...output };
    },
  }),
);

builder.subscriptionField('chatStream', (t) =>
  t.field({
    type: ChatStreamEventRef,
    description: "Streams the assistant's reply as the model server writes it. Unsubscribing stops the generation upstream.",
    extensions: startsGeneration,
    args: { input: t.arg({ type: ChatInputRef, required: true }) },
    subscribe: async (_root, { input }, ctx) => {
      const prepared = await ctx.services.generation.prepareChat(input, requestOf(ctx, 'chatStream'));
      return relayStream(ctx, prepared.model.id, ctx.services.generation.chatStream(prepared, ctx.signal));
    },
    resolve: (item: StreamItem<ChatEvent>) => {
      // A failure after the stream started is one payload with the error, then the end.
      if ('error' in item) throw item.error;
      return item;
    },
  }),
);
