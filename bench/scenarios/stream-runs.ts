// What the streaming, chat and growth scenarios share: the paths a stream can take,
// a fresh process under test per path (so that one run's heap does not become
// the next one's "idle" memory), its warm-up, and the file-descriptor budget.
import { CHAT_MODEL, type ChatProtocol } from '../lib/chat-body.ts';
import { runLoad } from '../lib/load.ts';
import { openFilesLimit } from '../lib/proc-stat.ts';
import { MODEL_ID, startFloor, startGateway, type Running } from '../lib/stack.ts';
import type { StreamJob, StreamResult } from '../load/streams.ts';
import type { TransportKind } from '../load/transports.ts';

export interface StreamPath {
  name: string;
  via: 'direct' | 'floor' | 'gateway';
  transport: TransportKind;
  /** graphql-ws sockets shared by every stream; 0: one socket per stream. */
  sockets: number;
  /** The simulator's protocol, which the gateway is configured for (chat runs); 'tgi' when unset. */
  protocol?: ChatProtocol;
}

const isChat = (path: StreamPath) => path.transport === 'chat-sse' || path.transport === 'v1-sse' || path.transport === 'chat-ws';

export interface Target {
  url: string;
  pid: number | undefined;
}

/** Runs `work` against a fresh floor or gateway (after a warm-up), or against the simulator itself. */
export async function withPath<T>(path: StreamPath, simUrl: string, refUrl: string, work: (target: Target) => Promise<T>): Promise<T> {
  if (path.via === 'direct') return work({ url: simUrl, pid: undefined });
  const protocol = path.protocol ?? 'tgi';
  const running: Running = path.via === 'floor' ? await startFloor(simUrl, protocol) : await startGateway(simUrl, protocol);
  try {
    const target = { url: running.url, pid: running.child.pid };
    // JIT, heap sizes and pools settle on a few streams first, so that the measured run starts from a warm idle process.
    await runStreams(path, target, { slots: 50, waves: 1, tokens: 5, promptBytes: 10, spreadMs: 100, rateWindow: undefined, refUrl, tag: 'warm' });
    return await work(target);
  } finally {
    await running.stop();
  }
}

export type RunShape = Pick<StreamJob, 'slots' | 'waves' | 'tokens' | 'promptBytes' | 'spreadMs' | 'rateWindow' | 'refUrl' | 'tag'>;

/** One load process running `shape` against `target`, bounded by a deadline that grows with the work asked. */
export function runStreams(path: StreamPath, target: Target, shape: RunShape, streamMs = 2000): Promise<StreamResult> {
  // Four times the nominal length, plus time to subscribe K streams (5 ms each is far slower than any proxy should be).
  const deadlineMs = shape.spreadMs + shape.waves * streamMs * 4 + shape.slots * 5 + 30_000;
  const job: StreamJob = {
    ...shape,
    transport: path.transport,
    url: target.url,
    sockets: path.sockets,
    modelId: MODEL_ID,
    chatModel: isChat(path) ? CHAT_MODEL[path.protocol ?? 'tgi'] : undefined,
    pid: target.pid,
    deadlineMs,
    tag: `${shape.tag}-${path.name.replace(/\W+/g, '')}-${Date.now().toString(36)}`,
  };
  // Connecting (10 ms per 100 sockets here, far more under load) and fetching the expected texts come on top.
  const budget = deadlineMs + shape.slots * shape.waves * 5 + 60_000;
  return runLoad<StreamResult>('streams.ts', job, budget);
}

/** Descriptors the busiest process of a run needs: a socket per stream on each side of a proxy. */
export function descriptorsNeeded(path: StreamPath, streams: number): number {
  const clientSide = path.transport === 'ws' && path.sockets > 0 ? path.sockets : streams;
  return (path.via === 'direct' ? streams : clientSide + streams) + 200;
}

/** Why a run cannot happen under this process's open-files limit (children inherit it), or undefined. */
export function descriptorShortfall(path: StreamPath, streams: number): string | undefined {
  const needed = descriptorsNeeded(path, streams);
  const { soft } = openFilesLimit();
  return needed > soft ? `needs ulimit -n ≥ ${needed}, have ${soft}` : undefined;
}
