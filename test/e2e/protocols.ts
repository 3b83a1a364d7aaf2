// Helpers for the specifications that hold on both upstream protocols: a pool
// of simulators speaking TGI or the OpenAI-compatible API behind one gateway,
// the upstream routes each protocol uses, the two streaming transports, and a
// gateway whose log lines are kept. Real processes on loopback, nothing mocked.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Client } from 'graphql-ws';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Simulator, SimulatorOptions, SimulatorProtocol } from '../../src/simulator/index.ts';
import type { TypedDocumentString } from '../gql/graphql.ts';
import { collectSse, collectWs, wsClient, type Result } from './clients.ts';
import { settled, startGateway, startSimulators } from './harness.ts';

export const PROTOCOLS = ['tgi', 'openai'] as const satisfies readonly SimulatorProtocol[];
export type Protocol = (typeof PROTOCOLS)[number];

/** The routes each protocol's client calls for each kind of request. */
export const ROUTES = {
  tgi: { generate: 'POST /generate', generateStream: 'POST /generate_stream', chat: 'POST /v1/chat/completions', limits: 'GET /info' },
  openai: { generate: 'POST /v1/completions', generateStream: 'POST /v1/completions', chat: 'POST /v1/chat/completions', limits: 'GET /v1/models' },
} as const;

const GENERATION_ROUTES = ['POST /generate', 'POST /generate_stream', 'POST /', 'POST /v1/completions', 'POST /v1/chat/completions'];

/** Requests the simulators received on `route` (all time: their counters, not the bounded request log). */
export const callsTo = (sims: readonly Simulator[], route: string): number =>
  sims.reduce((n, s) => n + (s.stats().requestsByRoute[route] ?? 0), 0);

/** Requests the simulators received on any generation route, whatever the protocol. */
export const generationCalls = (sims: readonly Simulator[]): number =>
  GENERATION_ROUTES.reduce((n, route) => n + callsTo(sims, route), 0);

export interface Pool {
  protocol: Protocol;
  sims: Simulator[];
  url: string;
  wsUrl: string;
  app: App;
  /** Clears the faults and restores the fast timing of every simulator. */
  reset(): void;
  stop(): Promise<void>;
}

export interface PoolOptions {
  replicas?: number;
  sim?: Partial<SimulatorOptions>;
  env?: Record<string, string>;
}

/** `replicas` simulators speaking `protocol`, as the replicas of model `pool`. */
export async function startPool(protocol: Protocol, options: PoolOptions = {}): Promise<Pool> {
  const sims = await startSimulators(options.replicas ?? 1, { protocol, ...options.sim });
  const gateway = await startGateway({ POOL: sims }, { TGI_POOL_PROTOCOL: protocol, RETRY_BACKOFF_MS: '0', ...options.env });
  const timing = { timeToFirstTokenMs: options.sim?.timeToFirstTokenMs ?? 5, timePerTokenMs: options.sim?.timePerTokenMs ?? 2 };
  return {
    protocol,
    sims,
    ...gateway,
    reset() {
      for (const s of sims) {
        s.clearFaults();
        s.setTiming(timing);
      }
    },
    async stop() {
      await gateway.app.stop(0);
      await Promise.all(sims.map((s) => s.close()));
    },
  };
}

/** After a scenario: the gateway holds nothing and no simulator runs anything (or produced tokens for nobody). */
export const idle = (pool: Pool): Promise<void> => settled(pool.app, pool.sims);

export const TRANSPORTS = ['graphql-ws', 'sse'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Every payload of a subscription, to its end, over one transport. */
export async function subscribe<T, V>(
  transport: Transport,
  pool: { url: string; wsUrl: string },
  document: TypedDocumentString<T, V>,
  variables: V,
): Promise<Result<T>[]> {
  if (transport === 'sse') {
    const { payloads, completed } = await collectSse(pool.url, document, variables);
    if (!completed) throw new Error('the SSE stream ended without its `complete` event');
    return payloads;
  }
  const client = wsClient(pool.wsUrl);
  try {
    return await collectWs(client, document, variables);
  } finally {
    await client.dispose();
  }
}

export const LEAVINGS = ['unsubscribes', 'closes its WebSocket', 'drops its SSE connection'] as const;
export type Leaving = (typeof LEAVINGS)[number];

/**
 * Subscribes, and leaves the way said once `after` payloads have come. Resolves with what
 * it saw and `close`, which closes what is left (after an unsubscribe the socket stays
 * open until then, so that the unsubscribe alone must stop the generation).
 */
export async function subscribeAndLeave<T, V>(
  leaving: Leaving,
  pool: { url: string; wsUrl: string },
  document: TypedDocumentString<T, V>,
  variables: V,
  after: number,
): Promise<{ payloads: Result<T>[]; close: () => Promise<void> }> {
  if (leaving === 'drops its SSE connection') {
    const controller = new AbortController();
    const { payloads } = await collectSse(pool.url, document, variables, {
      signal: controller.signal,
      onPayload: (_p, i) => {
        if (i === after - 1) controller.abort();
      },
    });
    return { payloads, close: async () => undefined };
  }
  const client: Client = wsClient(pool.wsUrl, { keepOpenMs: 60_000 });
  const payloads: Result<T>[] = [];
  await new Promise<void>((resolve, reject) => {
    const unsubscribe = client.subscribe<T>(
      { query: document.toString(), variables: variables as Record<string, unknown> },
      {
        next: (payload) => {
          payloads.push(payload as Result<T>);
          if (payloads.length !== after) return;
          if (leaving === 'unsubscribes') unsubscribe();
          resolve();
        },
        error: reject,
        complete: () => resolve(),
      },
    );
  });
  // Closing the socket with the subscription still running.
  if (leaving === 'closes its WebSocket') await client.dispose();
  return { payloads, close: () => Promise.resolve(client.dispose()) };
}

/** The codes of every error among the payloads, in order. */
export const codes = (payloads: readonly Result<unknown>[]): (string | undefined)[] =>
  payloads.flatMap((p) => p.errors ?? []).map((e) => e.extensions?.code);

/** A gateway like startGateway's, whose every log line (down to trace) is kept. */
export async function startLoggedGateway(
  models: Record<string, Simulator[] | string>,
  env: Record<string, string> = {},
): Promise<{ url: string; wsUrl: string; app: App; log: () => string }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const modelEnv = Object.fromEntries(Object.entries(models).map(([key, target]) => [
    `TGI_${key}_ENDPOINT`,
    typeof target === 'string' ? target : target.map((s) => s.url).join(','),
  ]));
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', RETRY_BACKOFF_MS: '1', ...modelEnv, ...env });
  const app = buildApp(config, pino({ level: 'trace' }, sink));
  const url = await app.start();
  return { url, wsUrl: `${url.replace(/^http/, 'ws')}/graphql`, app, log: () => lines.join('') };
}
