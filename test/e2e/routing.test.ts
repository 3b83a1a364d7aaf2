// Routing on the servers' own prefix caches and queues: a conversation's turns
// go where its earlier turns went, while conversations it knows nothing of
// spread by load; what was decided, and why, is shown per replica, counted in
// /metrics and told in the access line.
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { ChatDocument, GenerateDocument } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { settled, startSimulators } from './harness.ts';

const SYSTEM = 'You are the support assistant of a bicycle shop. Answer briefly and politely. '.repeat(8);
const generations = (s: Simulator) => (s.stats().requestsByRoute['POST /generate'] ?? 0) + (s.stats().requestsByRoute['POST /v1/chat/completions'] ?? 0);

/** The value of one series in a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

interface ReplicaView { url: string; queueSize: number | null; kvCacheUsage: number | null; prefixHits: number }

async function replicasOf(url: string, model: string): Promise<ReplicaView[]> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ model(id: "${model}") { replicas { url queueSize kvCacheUsage prefixHits } } }` }),
  });
  const body = (await res.json()) as { data: { model: { replicas: ReplicaView[] } } };
  return body.data.model.replicas;
}

describe('prefix-aware routing over three replicas', () => {
  let sims: Simulator[];
  let chatSims: Simulator[];
  let app: App;
  let url: string;
  const logged: Record<string, unknown>[] = [];
  const access = () => logged.filter((l) => l.component === 'access');

  beforeAll(async () => {
    sims = await startSimulators(3, { timeToFirstTokenMs: 1, timePerTokenMs: 1, prefixCacheBlocks: 10_000 });
    chatSims = await startSimulators(3, { protocol: 'openai', servedModelName: 'served', timeToFirstTokenMs: 1, timePerTokenMs: 1, prefixCacheBlocks: 10_000 });
    const config = loadConfig({
      HOST: '127.0.0.1', PORT: '0', RETRY_BACKOFF_MS: '1', UPSTREAM_METRICS_INTERVAL_MS: '50',
      TGI_POOL_ENDPOINT: sims.map((s) => s.url).join(','),
      TGI_CHAT_ENDPOINT: chatSims.map((s) => s.url).join(','), TGI_CHAT_PROTOCOL: 'openai',
    });
    const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) });
    app = buildApp(config, logger);
    url = await app.start();
  });
  beforeEach(() => {
    logged.length = 0;
  });
  afterAll(async () => {
    await settled(app, [...sims, ...chatSims]);
    await app.stop(0);
    await Promise.all([...sims, ...chatSims].map((s) => s.close()));
  });

  it("sends every turn of a conversation to the replica that holds its earlier turns, and says why in the access line", async () => {
    let prompt = `${SYSTEM}\nCustomer: my chain keeps slipping, what can I do about it?\n`;
    const before = sims.map(generations);
    for (let turn = 0; turn < 5; turn++) {
      const { data, errors } = await post(url, GenerateDocument, { input: { modelId: 'pool', prompt, maxNewTokens: 4 } });
      expect(errors).toBeUndefined();
      prompt += `Assistant:${data!.generate.generatedText}\nCustomer: and after that, turn ${turn}?\n`;
    }
    const served = sims.map((s, i) => generations(s) - before[i]!);
    expect(served.filter((n) => n > 0)).toEqual([5]);
    const lines = access();
    expect(lines.map((l) => l.routing)).toEqual(['load', 'prefix', 'prefix', 'prefix', 'prefix']);
    const holder = sims[served.findIndex((n) => n > 0)]!;
    expect(new Set(lines.map((l) => l.replica))).toEqual(new Set([holder.url]));
  });

  it('keeps a chat conversation on one replica: the messages in order are its prefix', async () => {
    const messages: { role: 'SYSTEM' | 'USER' | 'ASSISTANT'; content: string }[] = [{ role: 'SYSTEM', content: SYSTEM }];
    const before = chatSims.map(generations);
    for (let turn = 0; turn < 4; turn++) {
      messages.push({ role: 'USER', content: `Question number ${turn} about brakes, gears and tyres, asked at some length.` });
      const { data, errors } = await post(url, ChatDocument, { input: { modelId: 'chat', messages, maxTokens: 4 } });
      expect(errors).toBeUndefined();
      messages.push({ role: 'ASSISTANT', content: data!.chat.message.content });
    }
    const served = chatSims.map((s, i) => generations(s) - before[i]!);
    expect(served.filter((n) => n > 0)).toEqual([4]);
  });

  it('spreads conversations it holds nothing of over the replicas', async () => {
    const before = sims.map(generations);
    await Promise.all(Array.from({ length: 12 }, (_, i) =>
      post(url, GenerateDocument, { input: { modelId: 'pool', prompt: `Conversation ${i}. ${'A long opening that no one sent before. '.repeat(6)}`, maxNewTokens: 20 } })));
    const served = sims.map((s, i) => generations(s) - before[i]!);
    expect(served.reduce((a, b) => a + b)).toBe(12);
    for (const n of served) expect(n).toBeGreaterThanOrEqual(2);
  });

  it("shows each replica's queue and cache use from its metrics, and its prefix hits; counts decisions by reason", async () => {
    await new Promise((resolve) => setTimeout(resolve, 150)); // a read of every replica's /metrics
    const pool = await replicasOf(url, 'pool');
    expect(pool.map((r) => r.queueSize)).toEqual([0, 0, 0]);
    // TGI exports no KV-cache share; vLLM does.
    expect(pool.map((r) => r.kvCacheUsage)).toEqual([null, null, null]);
    expect(pool.reduce((sum, r) => sum + r.prefixHits, 0)).toBeGreaterThanOrEqual(4);
    const chat = await replicasOf(url, 'chat');
    expect(chat.filter((r) => (r.kvCacheUsage ?? 0) > 0)).toHaveLength(1);
    expect(chat.reduce((sum, r) => sum + r.prefixHits, 0)).toBe(3);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(sample(metrics, 'tgi_gateway_routing_decisions_total{model="pool",reason="prefix"}')).toBeGreaterThanOrEqual(4);
    expect(sample(metrics, 'tgi_gateway_routing_decisions_total{model="pool",reason="load"}')).toBeGreaterThanOrEqual(13);
    expect(sample(metrics, 'tgi_gateway_routing_decisions_total{model="chat",reason="prefix"}')).toBe(3);
  });
});

describe('least-in-flight routing (ROUTING=least-in-flight)', () => {
  it('scatters the turns of a conversation by load, looking at no prefix', async () => {
    const sims = await startSimulators(3, { timeToFirstTokenMs: 1, timePerTokenMs: 1 });
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', ROUTING: 'least-in-flight', TGI_POOL_ENDPOINT: sims.map((s) => s.url).join(',') });
    const app = buildApp(config, pino({ level: 'silent' }));
    const url = await app.start();
    try {
      for (let turn = 0; turn < 6; turn++) {
        expect((await post(url, GenerateDocument, { input: { modelId: 'pool', prompt: `${SYSTEM} turn ${turn}`, maxNewTokens: 2 } })).errors).toBeUndefined();
      }
      expect(sims.map(generations)).toEqual([2, 2, 2]);
      expect((await replicasOf(url, 'pool')).map((r) => r.prefixHits)).toEqual([0, 0, 0]);
    } finally {
      await app.stop(0);
      await Promise.all(sims.map((s) => s.close()));
    }
  });
});
