// How fast a client's departure reaches the upstream socket. This process
// hosts the tap (load/tap.ts) the proxies under test send their TGI traffic
// through, and the clients that leave: each stream is cut after a few tokens
// by one of the ways below, and the time from the cut to the close of that
// stream's upstream connection, both read on this process's clock, is its latency.
//
// Two-way IPC: after starting the tap it sends {type: 'tap', url}; each
// {type: 'run', targets} is answered with {type: 'round', result}.
import { tgiBody } from '../lib/tgi-body.ts';
import { percentiles, type Percentiles } from '../lib/stats.ts';
import { GENERATE_STREAM } from '../soak/stream.ts';
import { runJob } from './child.ts';
import { postSse } from './sse-client.ts';
import { Tap } from './tap.ts';
import { GraphqlWsSocket } from './ws-client.ts';

export type CutMode = 'unsubscribe' | 'socket close' | 'SSE abort';

export interface CancelJob {
  simUrl: string;
  modelId: string;
  perMode: number;
  concurrency: number;
  afterTokens: number;
}

export interface CancelTarget {
  name: string;
  url: string;
  /** tgi: TGI's own SSE (direct, through the tap); graphql: GraphQL over graphql-ws and SSE. */
  protocol: 'tgi' | 'graphql';
  modes: CutMode[];
}

export interface CutResult {
  latency: Percentiles;
  /** Streams whose upstream connection was still open 3 s after the cut. */
  notClosed: number;
  /** Streams that failed before the cut (no tokens): not measured. */
  failed: number;
}

const CLOSE_WAIT_MS = 3000;
/** More than the cut point, so that no stream ends by itself first. */
const TOKENS = 200;
let nextStream = 0;

runJob<CancelJob, void>(async (job) => {
  const tap = new Tap(new URL(job.simUrl));
  process.send?.({ type: 'tap', url: await tap.listen() });
  await new Promise<void>((resolve) => {
    process.on('message', (message: { type: string; targets?: CancelTarget[] }) => {
      if (message.type === 'done') return resolve();
      if (message.type !== 'run' || message.targets === undefined) return;
      void runRound(job, tap, message.targets).then((result) => process.send?.({ type: 'round', result }));
    });
  });
  tap.close();
});

async function runRound(job: CancelJob, tap: Tap, targets: CancelTarget[]) {
  const result: Record<string, Partial<Record<CutMode, CutResult>>> = {};
  for (const target of targets) {
    for (const mode of target.modes) (result[target.name] ??= {})[mode] = await runMode(job, tap, target, mode);
  }
  return result;
}

async function runMode(job: CancelJob, tap: Tap, target: CancelTarget, mode: CutMode): Promise<CutResult> {
  const latencies: number[] = [];
  let notClosed = 0;
  let failed = 0;
  let remaining = job.perMode;
  const worker = async () => {
    // Unsubscribing leaves the socket open: one socket per worker serves all its streams.
    const shared = mode === 'unsubscribe' ? await GraphqlWsSocket.open(`${target.url.replace(/^http/, 'ws')}/graphql`) : undefined;
    while (remaining-- > 0) {
      const n = nextStream++;
      const cutAt = await streamUntilCut(job, target, mode, n, shared);
      if (cutAt === undefined) {
        failed += 1;
        continue;
      }
      const closedAt = await tap.closeOf(n, CLOSE_WAIT_MS);
      if (closedAt === undefined) notClosed += 1;
      else latencies.push(Math.max(0, closedAt - cutAt));
    }
    shared?.close();
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  return { latency: percentiles(latencies), notClosed, failed };
}

/** Starts stream n, cuts it after `afterTokens` tokens; the cut's time, or undefined if it failed first. */
function streamUntilCut(job: CancelJob, target: CancelTarget, mode: CutMode, n: number, shared: GraphqlWsSocket | undefined): Promise<number | undefined> {
  const prompt = `cancel-${n}- leaves after ${job.afterTokens} tokens`;
  return new Promise((resolve) => {
    let tokens = 0;
    let cut: () => void = () => {};
    const onToken = () => {
      tokens += 1;
      if (tokens !== job.afterTokens) return;
      const at = performance.now();
      cut();
      resolve(at);
    };
    const failed = () => tokens < job.afterTokens && resolve(undefined);
    if (mode === 'SSE abort') {
      const direct = target.protocol === 'tgi';
      const body = direct
        ? tgiBody({ prompt, maxNewTokens: TOKENS, seed: n + 1 })
        : JSON.stringify({ query: GENERATE_STREAM, variables: { input: { modelId: job.modelId, prompt, maxNewTokens: TOKENS, seed: n + 1 } } });
      const req = postSse(new URL(target.url), direct ? '/generate_stream' : '/graphql', body, direct ? {} : { accept: 'text/event-stream' }, {
        event: ({ event }) => (direct || event === 'next' ? onToken() : undefined),
        end: failed,
      });
      cut = () => req.destroy();
      return;
    }
    const variables = { input: { modelId: job.modelId, prompt, maxNewTokens: TOKENS, seed: n + 1 } };
    const subscriber = { next: onToken, error: failed, complete: failed };
    if (shared !== undefined) {
      cut = () => shared.complete(String(n));
      shared.subscribe(String(n), GENERATE_STREAM, variables, subscriber);
      return;
    }
    GraphqlWsSocket.open(`${target.url.replace(/^http/, 'ws')}/graphql`).then((socket) => {
      cut = () => socket.close();
      socket.subscribe(String(n), GENERATE_STREAM, variables, subscriber);
    }, failed);
  });
}
