// Faults while streaming: every path ends bounded in time, with a clear
// error to the client, and leaves nothing running upstream or in the gateway.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { GenerateDocument, GenerateStreamDocument, type GenerateStreamSubscription } from '../gql/graphql.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { collectSse, collectWs, post, wsClient } from '../e2e/clients.ts';
import { activeTimers, eventually, settled, startGateway, startSimulators } from '../e2e/harness.ts';

const input = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'pool', prompt: 'Stream, please', maxNewTokens: 6, ...over } });
const codes = (payloads: { errors?: { extensions?: { code?: string } }[] }[]) =>
  payloads.flatMap((p) => p.errors ?? []).map((e) => e.extensions?.code);

/** The bound on a whole generation here: far above the first-token and idle timeouts, so that which one ended a stream shows on any machine. */
const TOTAL_TIMEOUT_MS = 4000;

describe('faults while streaming', () => {
  let sims: Simulator[];
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let timers: number;
  beforeAll(async () => {
    sims = await startSimulators(2);
    gateway = await startGateway({ POOL: sims }, {
      UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '300',
      UPSTREAM_IDLE_TIMEOUT_MS: '150',
      UPSTREAM_TIMEOUT_MS: String(TOTAL_TIMEOUT_MS),
      RETRY_BACKOFF_MS: '0',
      EJECT_AFTER_FAILURES: '1000',
      // Failures as the client sees them when no stream goes on from another replica
      // (test/e2e/stream-continuation.test.ts specifies the default, STREAM_FAILOVER=continue).
      STREAM_FAILOVER: 'off',
    });
    timers = activeTimers();
  });
  beforeEach(() => sims.forEach((s) => s.clearFaults()));
  afterAll(async () => {
    await gateway.app.stop(0);
    await Promise.all(sims.map((s) => s.close()));
  });
  const allStalling = (fault: Parameters<Simulator['setFaults']>[0]) => sims.forEach((s) => s.setFaults(fault));

  it('times out when no replica sends headers, with UPSTREAM_TIMEOUT, and aborts them', async () => {
    allStalling({ stallBeforeHeaders: true });
    const started = Date.now();
    const client = wsClient(gateway.wsUrl);
    const payloads = await collectWs(client, GenerateStreamDocument, input());
    await client.dispose();
    expect(codes(payloads)).toEqual(['UPSTREAM_TIMEOUT']);
    // Ended by the first-token timeouts (300 ms a replica), not by the overall one.
    expect(Date.now() - started).toBeLessThan(TOTAL_TIMEOUT_MS);
    await settled(gateway.app, sims);
  });

  it('ends a stream that goes silent between tokens with UPSTREAM_TIMEOUT after the tokens it had', async () => {
    allStalling({ stallAfterTokens: 2 });
    const client = wsClient(gateway.wsUrl);
    const payloads = await collectWs(client, GenerateStreamDocument, input());
    await client.dispose();
    expect(payloads.slice(0, 2).map((p) => p.data!.generateStream.index)).toEqual([1, 2]);
    expect(codes(payloads)).toEqual(['UPSTREAM_TIMEOUT']);
    await settled(gateway.app, sims);
  });

  it('never retries silently after the first token: a dropped stream ends with UPSTREAM_ERROR', async () => {
    allStalling({ dropAfterTokens: 3 });
    const before = sims.reduce((n, s) => n + (s.stats().requestsByRoute['POST /generate_stream'] ?? 0), 0);
    const { payloads, completed } = await collectSse(gateway.url, GenerateStreamDocument, input());
    expect(completed).toBe(true);
    expect(payloads.filter((p) => p.data).map((p) => p.data!.generateStream.index)).toEqual([1, 2, 3]);
    expect(codes(payloads)).toEqual(['UPSTREAM_ERROR']);
    expect(sims.reduce((n, s) => n + (s.stats().requestsByRoute['POST /generate_stream'] ?? 0), 0)).toBe(before + 1);
    await settled(gateway.app, sims);
  });

  it("relays TGI's in-stream generation error as UPSTREAM_ERROR", async () => {
    allStalling({ errorAfterTokens: 1 });
    const client = wsClient(gateway.wsUrl);
    const payloads = await collectWs(client, GenerateStreamDocument, input());
    await client.dispose();
    expect(payloads).toHaveLength(2);
    // TGI's own text names shard internals; the client learns the kind of failure.
    expect(payloads[1]!.errors![0]!.message).toBe('the model server failed during generation (generation)');
    expect(codes(payloads)).toEqual(['UPSTREAM_ERROR']);
    await settled(gateway.app, sims);
  });

  it('bounds the whole generation by UPSTREAM_TIMEOUT_MS', async () => {
    const slow = await startSimulators(1, { timePerTokenMs: 50 });
    const bounded = await startGateway({ POOL: slow }, { UPSTREAM_TIMEOUT_MS: '300' });
    const client = wsClient(bounded.wsUrl);
    const payloads = await collectWs(client, GenerateStreamDocument, input({ maxNewTokens: 100 }));
    await client.dispose();
    expect(payloads.length).toBeGreaterThan(2);
    expect(codes(payloads)).toEqual(['UPSTREAM_TIMEOUT']);
    await settled(bounded.app, slow);
    await bounded.app.stop(0);
    await slow[0]!.close();
  });

  it('survives a storm of client disconnects, leaving no stream, socket or timer behind', async () => {
    sims.forEach((s) => s.setTiming({ timePerTokenMs: 3 }));
    const storm = Array.from({ length: 60 }, (_, i) => stormClient(gateway.wsUrl, i));
    await Promise.all(storm);
    await settled(gateway.app, sims);
    const aborted = sims.reduce((n, s) => n + s.stats().abortedStreams, 0);
    expect(aborted).toBeGreaterThanOrEqual(40);
    expect(sims.every((s) => s.stats().tokensAfterAbort === 0)).toBe(true);
    // Closing handshakes of the storm's own sockets take a moment to finish.
    await eventually(() => activeTimers() <= timers, 2000, 'every timer to be cleared');
    sims.forEach((s) => s.setTiming({ timePerTokenMs: 2 }));
  });

  it('refuses work past the per-model in-flight cap before calling TGI, even when requests arrive together', async () => {
    const capped = await startGateway({ POOL: sims }, { TGI_POOL_MAX_CONCURRENT: '2' });
    sims.forEach((s) => s.setTiming({ timePerTokenMs: 20 }));
    const before = sims.reduce((n, s) => n + (s.stats().requestsByRoute['POST /generate'] ?? 0), 0);
    const results = await Promise.all(Array.from({ length: 6 }, () => post(capped.url, GenerateDocument, input({ maxNewTokens: 5 }))));
    const refused = results.filter((r) => r.errors);
    expect(results.length - refused.length).toBe(2);
    for (const r of refused) expect(r.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_OVERLOADED', retryAfterSeconds: 1 });
    expect(sims.reduce((n, s) => n + (s.stats().requestsByRoute['POST /generate'] ?? 0), 0)).toBe(before + 2);
    sims.forEach((s) => s.setTiming({ timePerTokenMs: 2 }));
    await capped.app.stop(0);
  });
});

/** One client of the storm: leaves by unsubscribing, by closing its socket, or stays to the end. */
async function stormClient(wsUrl: string, i: number): Promise<void> {
  const socketClose = i % 3 === 1;
  const stayToEnd = i % 6 === 5;
  const leaveAfter = 1 + (i % 7);
  let socket: WebSocket | undefined;
  const client = wsClient(wsUrl);
  client.on('opened', (s) => (socket = s as WebSocket));
  await new Promise<void>((resolve) => {
    let seen = 0;
    const unsubscribe = client.subscribe<GenerateStreamSubscription>(
      { query: GenerateStreamDocument.toString(), variables: input({ maxNewTokens: stayToEnd ? 8 : 200 }) },
      {
        next: () => {
          seen += 1;
          if (stayToEnd || seen !== leaveAfter) return;
          if (socketClose) socket?.terminate();
          else unsubscribe();
          resolve();
        },
        error: () => resolve(),
        complete: () => resolve(),
      },
    );
  });
  await client.dispose();
}
