import { INPUT_DEFAULTS, type GenerateInput } from '../generation/input.ts';
import type { GenerationDetails, GenerationOutput, StreamToken, Token } from '../upstream/types.ts';
import { builder } from './builder.ts';
import { requestOf } from './context.ts';
import { SeedRef } from './seed.ts';
import { startsGeneration } from './starts-generation.ts';
import { FinishReason, TokenUsageRef, type EveryField } from './shared.ts';
import { RESUMABLE, startStream } from './start-stream.ts';
import type { StreamItem } from './stream-relay.ts';

// Typed against the one input schema (src/generation/input.ts): a field missing, extra or of another type fails the build.
const GenerateInputRef = builder.inputRef<GenerateInput>('GenerateInput').implement({
  description: "Parameters of one generation, named and meant as TGI's: a model on another server takes their equivalents, and a field its server cannot honour is refused. Checked before any upstream call.",
  fields: (t) => ({
    modelId: t.id({ required: true }),
    prompt: t.string({ required: true }),
    maxNewTokens: t.int({ defaultValue: INPUT_DEFAULTS.maxNewTokens }),
    temperature: t.float({ defaultValue: INPUT_DEFAULTS.temperature, description: 'Strictly positive.' }),
    topP: t.float({ defaultValue: INPUT_DEFAULTS.topP, description: 'Strictly between 0 and 1.' }),
    repetitionPenalty: t.float({ defaultValue: INPUT_DEFAULTS.repetitionPenalty }),
    topK: t.int(),
    stop: t.stringList({ description: "At most the model's stop-sequence limit (TGI: 4)." }),
    seed: t.field({ type: SeedRef, description: 'Replays a generation: pass back the seed its details returned.' }),
    doSample: t.boolean(),
    truncate: t.int(),
    typicalP: t.float(),
    frequencyPenalty: t.float(),
    returnFullText: t.boolean(),
    watermark: t.boolean(),
    resumable: t.boolean({ defaultValue: INPUT_DEFAULTS.resumable, description: RESUMABLE }),
  }) satisfies EveryField<GenerateInput>,
});

const DetailsRef = builder.objectRef<GenerationDetails>('GenerationDetails').implement({
  fields: (t) => ({
    finishReason: t.field({ type: FinishReason, resolve: (d) => d.finishReason }),
    generatedTokens: t.exposeInt('generatedTokens'),
    seed: t.exposeString('seed', { nullable: true, description: 'Unsigned 64-bit, hence a string.' }),
  }),
});

const GenerationRef = builder.objectRef<GenerationOutput & { modelId: string }>('Generation').implement({
  fields: (t) => ({
    modelId: t.exposeID('modelId'),
    generatedText: t.exposeString('generatedText'),
    details: t.field({ type: DetailsRef, resolve: (g) => g.details }),
    usage: t.field({ type: TokenUsageRef, nullable: true, description: 'As the model server reported it; null when it reports none.', resolve: (g) => g.usage ?? null }),
  }),
});

const TokenRef = builder.objectRef<Token>('Token').implement({
  fields: (t) => ({
    id: t.exposeInt('id'),
    text: t.exposeString('text', { description: 'May be empty when the token holds part of a UTF-8 character.' }),
    logprob: t.exposeFloat('logprob', { nullable: true }),
    special: t.exposeBoolean('special'),
  }),
});

type TokenItem = Extract<StreamItem<StreamToken>, { event: unknown }>;

export const StreamEventRef = builder.objectRef<TokenItem>('GenerationStreamEvent').implement({
  description: "One event of the model server's stream: every event carries its token; only the last carries generatedText and details.",
  fields: (t) => ({
    modelId: t.exposeID('modelId'),
    index: t.int({ resolve: (e) => e.event.index }),
    token: t.field({ type: TokenRef, resolve: (e) => e.event.token }),
    generatedText: t.string({ nullable: true, resolve: (e) => e.event.generatedText }),
    details: t.field({ type: DetailsRef, nullable: true, resolve: (e) => e.event.details }),
    usage: t.field({ type: TokenUsageRef, nullable: true, description: 'On the last event, as the model server reported it.', resolve: (e) => e.event.usage ?? null }),
  }),
});

builder.mutationType({
  fields: (t) => ({
    generate: t.field({
      type: GenerationRef,
      description: 'Runs one generation to its end and returns the whole text.',
      extensions: startsGeneration,
      args: { input: t.arg({ type: GenerateInputRef, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const { generation } = ctx.services;
        const prepared = await generation.prepare(input, requestOf(ctx, 'generate'));
        const output = await generation.generate(prepared, ctx.signal);
        return { modelId: prepared.model.id, ...output };
      },
    }),
  }),
});

builder.subscriptionType({
  fields: (t) => ({
    generateStream: t.field({
      type: StreamEventRef,
      description: 'Streams the tokens of one generation as the model server produces them. Unsubscribing stops the generation upstream.',
      extensions: startsGeneration,
      args: { input: t.arg({ type: GenerateInputRef, required: true }) },
      subscribe: async (_root, { input }, ctx) => {
        ctx.services.resumes.check(input.resumable);
        const prepared = await ctx.services.generation.prepare(input, requestOf(ctx, 'generateStream'));
        return startStream(ctx, input.resumable, prepared.model.id, ctx.services.resumes.generate, (signal) => ctx.services.generation.generateStream(prepared, signal));
      },
      resolve: (item: StreamItem<StreamToken>) => {
        // A failure after the stream started is one payload with the error, then the end.
        if ('error' in item) throw item.error;
        return item;
      },
    }),
  }),
});
