// Several simulators as replicas of one model: balancing, retries before the
// first token, ejection with cool-down, and health that follows the replicas.
import { afterEach, describe, expect, it } from 'vitest';
import { GenerateDocument, GenerateStreamDocument, ModelsDocument } from '../gql/graphql.ts';
import type { App } from '../../src/app.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { collectWs, post, wsClient } from '../e2e/clients.ts';
import { activeTimers, settled, startGateway, startSimulators } from '../e2e/harness.ts';

const input = (over: Record<string, unknown> = {}) => ({ input: { modelId: 'pool', prompt: 'Hello replicas', maxNewTokens: 5, ...over } });
const generations = (s: Simulator) => (s.stats().requestsByRoute['POST /generate'] ?? 0) + (s.stats().requestsByRoute['POST /generate_stream'] ?? 0);

let cleanup: (() => Promise<void>)[] = [];
let stacks: { app: App; sims: Simulator[] }[] = [];
afterEach(async () => {
  // Whatever a scenario did, it leaves no stream, slot or upstream request behind.
  for (const { app, sims } of stacks) await settled(app, sims);
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
  stacks = [];
});

async function pool(n: number, env: Record<string, string> = {}) {
  const sims = await startSimulators(n);
  const gateway = await startGateway({ POOL: sims }, { RETRY_BACKOFF_MS: '0', ...env });
  cleanup.push(() => Promise.all(sims.map((s) => s.close())).then(() => undefined), () => gateway.app.stop(0));
  stacks.push({ app: gateway.app, sims });
  return { sims, ...gateway };
}

describe('replicas of one model', () => {
  it('spreads concurrent requests over the replicas, fewest in flight first', async () => {
    const { sims, url } = await pool(3);
    await Promise.all(Array.from({ length: 30 }, () => post(url, GenerateDocument, input())));
    const counts = sims.map(generations);
    expect(counts.reduce((a, b) => a + b)).toBe(30);
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(5);
  });

  it('shows each replica with its state and load', async () => {
    const { sims, url } = await pool(2);
    const { data } = await post(url, ModelsDocument);
    expect(data!.models[0]!.replicas).toEqual(sims.map((s) => ({ url: s.url, healthy: true, inFlight: 0, state: 'HEALTHY' })));
  });

  it('serves every request when a replica is down from the start, and shows it UNHEALTHY', async () => {
    const sims = await startSimulators(1);
    cleanup.push(() => sims[0]!.close());
    const dead = await startSimulators(1);
    const deadUrl = dead[0]!.url;
    await dead[0]!.close();
    const gateway = await startGateway({ POOL: `${sims[0]!.url},${deadUrl}` });
    cleanup.push(() => gateway.app.stop(0));
    const results = await Promise.all(Array.from({ length: 10 }, () => post(gateway.url, GenerateDocument, input())));
    expect(results.every((r) => r.data?.generate.details.generatedTokens === 5)).toBe(true);
    const { data } = await post(gateway.url, ModelsDocument);
    expect(data!.models[0]!.available).toBe(true);
    expect(data!.models[0]!.replicas[1]).toMatchObject({ state: 'UNHEALTHY', healthy: false });
  });

  it('retries on another replica when one answers 500, 503 or 429, or refuses connections', async () => {
    for (const fault of [{ httpStatus: 500 }, { httpStatus: 503 }, { overloaded: true }, { refuseConnections: true }]) {
      const { sims, url, app } = await pool(2);
      sims[0]!.setFaults(fault);
      sims[1]!.setFaults(fault);
      sims[1]!.clearFaults();
      const results = await Promise.all(Array.from({ length: 6 }, () => post(url, GenerateDocument, input())));
      expect(results.map((r) => r.errors?.[0]?.extensions?.code ?? 'OK')).toEqual(Array(6).fill('OK'));
      await settled(app, sims);
    }
  });

  it('continues streams cut by a replica that dies mid-run on the other one, and serves the next ones there', async () => {
    const { sims, wsUrl, url } = await pool(2, { EJECT_AFTER_FAILURES: '2' });
    sims.forEach((s) => s.setTiming({ timePerTokenMs: 10 }));
    const client = wsClient(wsUrl);
    const running = Array.from({ length: 6 }, () => collectWs(client, GenerateStreamDocument, input({ maxNewTokens: 100 })));
    await new Promise((r) => setTimeout(r, 100));
    const dying = sims[0]!;
    await dying.close(); // its sockets are destroyed mid-stream
    const results = await Promise.all(running);
    // STREAM_FAILOVER=continue: each stream the dead replica held went on from the other, whole.
    for (const payloads of results) {
      expect(payloads.filter((p) => p.errors)).toEqual([]);
      expect(payloads.map((p) => p.data!.generateStream.index)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    }
    expect(sims[1]!.stats().requestsByRoute['POST /generate_stream']).toBeGreaterThan(3);
    sims[1]!.setTiming({ timePerTokenMs: 1 });
    for (let i = 0; i < 4; i++) expect((await post(url, GenerateDocument, input())).errors).toBeUndefined();
    const { data } = await post(url, ModelsDocument);
    expect(data!.models[0]!.replicas[0]!.state).not.toBe('HEALTHY');
    await client.dispose();
    stacks = [{ app: stacks[0]!.app, sims: [sims[1]!] }];
  });

  it('retries a stream whose first event is TGI in-band overload, on another replica', async () => {
    const { sims, wsUrl, app } = await pool(2);
    sims[0]!.setFaults({ overloaded: true });
    const client = wsClient(wsUrl);
    for (let i = 0; i < 4; i++) {
      const payloads = await collectWs(client, GenerateStreamDocument, input());
      expect(payloads).toHaveLength(5);
    }
    await client.dispose();
    await settled(app, sims);
  });

  it('gives up after RETRY_MAX_ATTEMPTS attempts, each on a replica not yet tried', async () => {
    const { sims, url } = await pool(3, { RETRY_MAX_ATTEMPTS: '2' });
    for (const s of sims) s.setFaults({ httpStatus: 502 });
    const { errors } = await post(url, GenerateDocument, input());
    expect(errors![0]!.extensions!.code).toBe('UPSTREAM_ERROR');
    const counts = sims.map(generations);
    expect(counts.reduce((a, b) => a + b)).toBe(2);
    expect(Math.max(...counts)).toBe(1);
  });

  it('answers UPSTREAM_OVERLOADED when every replica tried is overloaded, and never ejects for it', async () => {
    const { sims, url } = await pool(2, { EJECT_AFTER_FAILURES: '1' });
    for (const s of sims) s.setFaults({ overloaded: true });
    for (let i = 0; i < 3; i++) {
      const { errors } = await post(url, GenerateDocument, input());
      expect(errors![0]!.extensions!.code).toBe('UPSTREAM_OVERLOADED');
    }
    const { data } = await post(url, ModelsDocument);
    expect(data!.models[0]!.replicas.map((r) => r.state)).toEqual(['HEALTHY', 'HEALTHY']);
  });

  it('does not retry 422 validation failures from TGI', async () => {
    const { sims, url } = await pool(2);
    // The gateway's own estimate lets this through; TGI's tokenizer counts more.
    const prompt = 'a '.repeat(4100);
    const before = sims.map(generations).reduce((a, b) => a + b);
    const { errors } = await post(url, GenerateDocument, input({ prompt }));
    expect(errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(sims.map(generations).reduce((a, b) => a + b)).toBe(before + 1);
  });

  it('ejects a replica after consecutive failures, then a probe brings it back after its cool-down', async () => {
    const { sims, url } = await pool(2, { EJECT_AFTER_FAILURES: '2', EJECT_BASE_MS: '500', RETRY_MAX_ATTEMPTS: '2' });
    sims[0]!.setFaults({ httpStatus: 500 });
    const states = async () => (await post(url, ModelsDocument)).data!.models[0]!.replicas.map((r) => r.state);
    for (let i = 0; i < 4; i++) expect((await post(url, GenerateDocument, input())).errors).toBeUndefined();
    expect(await states()).toEqual(['EJECTED', 'HEALTHY']);
    const whenEjected = generations(sims[0]!);
    for (let i = 0; i < 4; i++) expect((await post(url, GenerateDocument, input())).errors).toBeUndefined();
    expect(generations(sims[0]!)).toBe(whenEjected); // out of rotation during its cool-down
    sims[0]!.clearFaults();
    await new Promise((r) => setTimeout(r, 550));
    // The end of the cool-down starts a probe; its success readmits the replica.
    await states();
    const readmitted = async () => (await states())[0] === 'HEALTHY';
    for (let i = 0; i < 50 && !(await readmitted()); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await states()).toEqual(['HEALTHY', 'HEALTHY']);
  });

  it('keeps the model available while replicas flap, sending work to healthy ones', async () => {
    const { sims, url, app } = await pool(2, { HEALTH_CACHE_TTL_MS: '20' });
    const timers = activeTimers();
    for (let round = 0; round < 6; round++) {
      sims[round % 2]!.setFaults({ unhealthy: true });
      sims[(round + 1) % 2]!.clearFaults();
      await new Promise((r) => setTimeout(r, 30));
      const { data } = await post(url, ModelsDocument);
      expect(data!.models[0]!.available).toBe(true);
      expect((await post(url, GenerateDocument, input())).errors).toBeUndefined();
    }
    await settled(app, sims);
    expect(activeTimers()).toBeLessThanOrEqual(timers);
  });
});
