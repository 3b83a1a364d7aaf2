// Resumable streams: `generationId` on every stream event, the subscriptions
// that resume a resumable stream after an index, and the mutation that stops
// one nobody reads. The service behind them is src/generation/resume/.
import { builder } from './builder.ts';
import { ChatStreamEventRef } from './chat.ts';
import { StreamEventRef } from './generation.ts';
import { followStream } from './stream-follow.ts';
import type { StreamItem } from './stream-relay.ts';

const GENERATION_ID = 'The id of the generation this event belongs to, the same on every event; a resumable stream is resumed by it.';

builder.objectField(ChatStreamEventRef, 'generationId', (t) => t.exposeID('generationId', { description: GENERATION_ID }));
builder.objectField(StreamEventRef, 'generationId', (t) => t.exposeID('generationId', { description: GENERATION_ID }));

/** A failure once the stream started is one payload with the error, then the end. */
const eventOrFailure = <E>(item: StreamItem<E>) => {
  if ('error' in item) throw item.error;
  return item;
};

builder.subscriptionField('resumeChatStream', (t) =>
  t.field({
    type: ChatStreamEventRef,
    description: 'Events of a resumable chat stream after `afterIndex` (0 = from the start), then the rest as it comes.',
    args: {
      generationId: t.arg.id({ required: true }),
      afterIndex: t.arg.int({ required: true, defaultValue: 0 }),
    },
    subscribe: async (_root, { generationId, afterIndex }, ctx) => {
      const id = String(generationId);
      const { modelId, follower } = await ctx.services.resumes.follow('chat', ctx.caller, id, afterIndex);
      return followStream(ctx, modelId, id, follower);
    },
    resolve: eventOrFailure,
  }),
);

builder.subscriptionField('resumeGenerateStream', (t) =>
  t.field({
    type: StreamEventRef,
    description: 'Events of a resumable generateStream after `afterIndex` (0 = from the start), then the rest as it comes.',
    args: {
      generationId: t.arg.id({ required: true }),
      afterIndex: t.arg.int({ required: true, defaultValue: 0 }),
    },
    subscribe: async (_root, { generationId, afterIndex }, ctx) => {
      const id = String(generationId);
      const { modelId, follower } = await ctx.services.resumes.follow('generate', ctx.caller, id, afterIndex);
      return followStream(ctx, modelId, id, follower);
    },
    resolve: eventOrFailure,
  }),
);

builder.mutationField('cancelGeneration', (t) =>
  t.boolean({
    description: 'Stop a resumable generation that no client is reading. True if it was running.',
    args: { generationId: t.arg.id({ required: true }) },
    resolve: (_root, { generationId }, ctx) => ctx.services.resumes.cancel(ctx.caller, String(generationId)),
  }),
);
