// Where a stream subscription becomes either a relayed stream (the
// generation follows the operation's signal: the client leaving ends it) or
// a resumable one (the generation has a signal of its own, and the client
// leaving only detaches or stops its follower).
import type { ResumeTable } from '../generation/resume/resumes.ts';
import type { GenerationStream } from '../generation/service.ts';
import type { GatewayContext } from './context.ts';
import { followStream } from './stream-follow.ts';
import { relayStream, type StreamItem } from './stream-relay.ts';

export const RESUMABLE = 'Streams only: the stream survives a lost connection; resume it by its events\' generationId within STREAM_RESUME_MS.';

export function startStream<E>(
  ctx: GatewayContext,
  resumable: boolean | null | undefined,
  modelId: string,
  table: ResumeTable<E>,
  open: (signal: AbortSignal) => GenerationStream<E>,
): AsyncIterableIterator<StreamItem<E>, undefined> {
  if (resumable !== true) return relayStream(ctx, modelId, open(ctx.signal));
  // Fired by nothing but the generation's own ends (resumable.ts cancels its stream itself).
  const own = new AbortController();
  const { generationId, follower } = table.start(ctx.caller, modelId, open(own.signal));
  return followStream(ctx, modelId, generationId, follower);
}
