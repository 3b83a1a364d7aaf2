// The system under test, all in this process on 127.0.0.1: three TGI
// simulators as replicas of model "pool", and one gateway in front of them.
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/logger.ts';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';

export interface Stack {
  sims: Simulator[];
  app: App;
  url: string;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const sims = await Promise.all([0, 1, 2].map(() =>
    startSimulator({ host: '127.0.0.1', port: 0, timeToFirstTokenMs: 20, timePerTokenMs: 5 })));
  // Short timeouts and cool-downs, so that injected faults resolve within a few seconds of load.
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    TGI_POOL_ENDPOINT: sims.map((s) => s.url).join(','),
    UPSTREAM_IDLE_TIMEOUT_MS: '2000',
    UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '5000',
    EJECT_BASE_MS: '500',
    HEALTH_CACHE_TTL_MS: '1000',
    // The load's connections all come from 127.0.0.1 (--concurrency may pass the default 256).
    MAX_CONNECTIONS_PER_ADDRESS: '10000',
  });
  const app = buildApp(config, createLogger('silent'));
  const url = await app.start();
  return {
    sims,
    app,
    url,
    async close() {
      await app.stop(0);
      await Promise.all(sims.map((s) => s.close()));
    },
  };
}

/** Everything that must be back to zero once no client is streaming. */
export interface Leaks {
  /** Streams and unary generations the simulators still run: GPU time nobody listens to. */
  upstreamStreams: number;
  upstreamGenerations: number;
  /** Generations the gateway's service still tracks. */
  gatewayGenerations: number;
  /** Subscription relays still delivering (the gateway's InFlight set). */
  relays: number;
  /** Sum of the replicas' in-flight counters (the balancer's view of load). */
  replicaInFlight: number;
  /** Slots still held against the models' in-flight caps. */
  modelInFlight: number;
  /** undici requests still running or queued across the replicas' pools, and sockets not idle. */
  poolRequests: number;
  total: number;
}

export function measureLeaks(stack: Stack): Leaks {
  const { services } = stack.app;
  const sims = stack.sims.map((s) => s.stats());
  const replicas = services.registry.replicas;
  const parts = {
    upstreamStreams: sumOf(sims, (s) => s.activeStreams),
    upstreamGenerations: sumOf(sims, (s) => s.activeGenerations),
    gatewayGenerations: services.generation.activeGenerations,
    relays: services.streams.size,
    replicaInFlight: sumOf(replicas, (r) => r.inFlight),
    modelInFlight: sumOf(services.registry.models, (m) => m.inFlight),
    poolRequests: sumOf(replicas, (r) => {
      const pool = r.client.stats();
      return pool.running + pool.pending + pool.busy;
    }),
  };
  return { ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}

/**
 * Polls until nothing is left running, or `timeoutMs` passes. Aborts travel
 * asynchronously (socket close → server → TGI), so a non-zero first look is not a leak;
 * one still there after seconds is. A background health probe can hold a pool
 * request for a moment, hence polling for one clean reading.
 */
export async function settle(stack: Stack, timeoutMs: number): Promise<{ leaks: Leaks; waitedMs: number }> {
  const started = performance.now();
  let leaks = measureLeaks(stack);
  while (leaks.total > 0 && performance.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    leaks = measureLeaks(stack);
  }
  return { leaks, waitedMs: Math.round(performance.now() - started) };
}

export function upstreamTotals(stack: Stack) {
  const sims = stack.sims.map((s) => s.stats());
  return {
    completed: sumOf(sims, (s) => s.completedStreams),
    aborted: sumOf(sims, (s) => s.abortedStreams),
    errored: sumOf(sims, (s) => s.erroredStreams),
    dropped: sumOf(sims, (s) => s.droppedStreams),
    faulted: sumOf(sims, (s) => s.faultedRequests),
    tokensGenerated: sumOf(sims, (s) => s.tokensGenerated),
    tokensAfterAbort: sumOf(sims, (s) => s.tokensAfterAbort),
    openConnections: sumOf(sims, (s) => s.openConnections),
  };
}

export type UpstreamTotals = ReturnType<typeof upstreamTotals>;

function sumOf<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}
