// A client may leave at any moment: while the gateway validates its request,
// while it waits between retries, or never read again while the gateway shuts
// down. None of these may cost GPU time or hold the gateway.
import { createServer, type Server, type Socket } from 'node:net';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { GenerateDocument, GenerateStreamDocument, ModelsDocument } from '../gql/graphql.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { collectSse, post } from '../e2e/clients.ts';
import { eventually, settled, startGateway, startSimulators } from '../e2e/harness.ts';
import { allowed, slowestOf } from '../support/timing.ts';

const input = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'pool', prompt: 'Anyone there?', maxNewTokens: 50, ...over } });
const generations = (sims: Simulator[]) => sims.reduce((n, s) =>
  n + (s.stats().requestsByRoute['POST /generate'] ?? 0) + (s.stats().requestsByRoute['POST /generate_stream'] ?? 0), 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function pool(n: number, env: Record<string, string>, faults: Parameters<Simulator['setFaults']>[0] = {}) {
  const sims = await startSimulators(n, { faults });
  const gateway = await startGateway({ POOL: sims }, env);
  cleanup.push(() => Promise.all(sims.map((s) => s.close())), () => gateway.app.stop(0));
  return { sims, ...gateway };
}

describe('a client that leaves', () => {
  // TGI's /info hangs, so validation waits on it for HEALTH_PROBE_TIMEOUT_MS.
  const slowPrepare = { HEALTH_PROBE_TIMEOUT_MS: '400', HEALTH_CACHE_TTL_MS: '1' };

  it('while its REST request is validated starts no generation', async () => {
    const { sims, url, app } = await pool(1, slowPrepare, { stallInfo: true });
    const controller = new AbortController();
    const answer = fetch(`${url}/generate`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, signal: controller.signal,
      body: JSON.stringify({ model_id: 'pool', prompt: 'x', max_new_tokens: 50 }),
    }).catch(() => 'left');
    await sleep(100);
    controller.abort();
    expect(await answer).toBe('left');
    await sleep(600);
    expect(generations(sims)).toBe(0);
    await settled(app, sims);
  });

  it('while its SSE subscription is validated starts no generation and leaves no relay behind', async () => {
    const { sims, url, app } = await pool(1, slowPrepare, { stallInfo: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await collectSse(url, GenerateStreamDocument, input(), { signal: controller.signal }).catch(() => undefined);
    await sleep(600);
    expect(generations(sims)).toBe(0);
    await settled(app, sims);
  });

  it('during the backoff between two attempts gets no further attempt', async () => {
    const { sims, url, app } = await pool(2, { RETRY_BACKOFF_MS: '600', RETRY_BACKOFF_MAX_MS: '600' });
    for (const s of sims) s.setFaults({ httpStatus: 503 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await collectSse(url, GenerateStreamDocument, input(), { signal: controller.signal }).catch(() => undefined);
    await sleep(700);
    expect(generations(sims)).toBe(1);
    await settled(app, sims);
  });
});

describe('a replica that accepts connections but never answers', () => {
  it('is marked UNHEALTHY by its probes and never delays requests served by the others', async () => {
    const sockets = new Set<Socket>();
    const blackhole: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as { port: number }).port;
    const [sim] = await startSimulators(1);
    // A request that waited on one probe of the black hole would take at least this long: long
    // beside what a busy machine adds to a generation, so that waiting shows on any machine.
    const probeTimeoutMs = 2_000;
    const gateway = await startGateway({ POOL: `http://127.0.0.1:${port},${sim!.url}` }, { HEALTH_PROBE_TIMEOUT_MS: String(probeTimeoutMs) });
    cleanup.push(
      async () => {
        for (const s of sockets) s.destroy();
        await new Promise((r) => blackhole.close(r));
      },
      () => sim!.close(),
      () => gateway.app.stop(0),
    );
    const { data } = await post(gateway.url, ModelsDocument);
    expect(data!.models[0]!.replicas.map((r) => r.state)).toEqual(['UNHEALTHY', 'HEALTHY']);
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      expect((await post(gateway.url, GenerateDocument, input({ maxNewTokens: 3 }))).errors).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(probeTimeoutMs);
    }
  });
});

describe('shutdown with clients that stopped reading', () => {
  it('still ends within the drain time and a little more, aborting their generations', async () => {
    const [sim] = await startSimulators(1, { timePerTokenMs: 0, maxTotalTokens: 1_000_000, maxInputTokens: 1000 });
    cleanup.push(() => sim!.close());
    const gateway = await startGateway({ POOL: [sim!] });
    const big = { input: { modelId: 'pool', prompt: 'Go', maxNewTokens: 500_000 } };

    // A graphql-ws client that pauses its socket after the first token.
    const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
    await new Promise((r) => socket.once('open', r));
    const tcp = (socket as unknown as { _socket: Socket })._socket;
    socket.on('message', (data) => {
      const type = (JSON.parse(String(data)) as { type: string }).type;
      if (type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: GenerateStreamDocument.toString(), variables: big } }));
      if (type === 'next') tcp.pause();
    });
    socket.send(JSON.stringify({ type: 'connection_init' }));

    // An SSE client that reads its response headers, then nothing more.
    const sse = request(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' } });
    sse.on('response', (res) => res.pause());
    sse.on('error', () => undefined);
    sse.end(JSON.stringify({ query: GenerateStreamDocument.toString(), variables: big }));

    await eventually(() => sim!.stats().activeStreams === 2, 3000, 'both streams to start');
    await sleep(200); // let the buffers between them fill
    // What stop() may wait by design: the drain, then a second each for the last payloads and for the
    // close frames (LAST_WORDS_MS in app.ts). Beyond that, only what a request takes on this machine now.
    const drainMs = 200;
    const byDesignMs = drainMs + 2 * 1000;
    const requestMs = await slowestOf(5, () => post(gateway.url, ModelsDocument));
    const started = performance.now();
    await gateway.app.stop(drainMs);
    expect(performance.now() - started).toBeLessThan(allowed(requestMs, byDesignMs));
    await eventually(() => sim!.stats().activeStreams === 0, 3000, 'TGI to see both streams end');
    expect(sim!.stats().tokensAfterAbort).toBe(0);
    expect(gateway.app.services.generation.activeGenerations).toBe(0);
    socket.terminate();
    sse.destroy();
  }, 90_000);
});
