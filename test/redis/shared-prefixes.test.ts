// Two gateways pointed at one Redis route as one: a conversation whose turns
// alternate between them stays on the replica that holds it. Without Redis
// each keeps routing on what it sent itself.
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { post } from '../e2e/clients.ts';
import { startSimulators } from '../e2e/harness.ts';
import { GenerateDocument } from '../gql/graphql.ts';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';

const SYSTEM = 'You answer questions about the timetable of the night trains, briefly. '.repeat(8);
const served = (s: Simulator) => s.stats().requestsByRoute['POST /generate'] ?? 0;

describeWithRedis('the prefix index shared through Redis', () => {
  let redis: RedisServer;
  let sims: Simulator[];
  const gateways: { app: App; url: string; lines: Record<string, unknown>[] }[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    sims = await startSimulators(3, { timeToFirstTokenMs: 1, timePerTokenMs: 1 });
    for (let i = 0; i < 2; i++) {
      const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', REDIS_URL: redis.url, TGI_POOL_ENDPOINT: sims.map((s) => s.url).join(',') });
      const lines: Record<string, unknown>[] = [];
      const app = buildApp(config, pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) }));
      gateways.push({ app, url: await app.start(), lines });
    }
  }, 30_000);
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.app.stop(0)));
    await Promise.all(sims?.map((s) => s.close()) ?? []);
    await redis?.stop();
  });

  async function conversation(topic: string, turns: number): Promise<{ served: number[]; reasons: unknown[] }> {
    const before = sims.map(served);
    let prompt = `${SYSTEM}\nQuestion about ${topic}: when does the last train leave?\n`;
    for (let turn = 0; turn < turns; turn++) {
      const gateway = gateways[turn % 2]!;
      const { data, errors } = await post(gateway.url, GenerateDocument, { input: { modelId: 'pool', prompt, maxNewTokens: 3 } });
      expect(errors).toBeUndefined();
      prompt += `Answer:${data!.generate.generatedText}\nQuestion ${turn} about ${topic}: and the one after that?\n`;
      // The decision of this turn reaches the other gateway before it takes the next one.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const reasons = gateways.flatMap((g) => g.lines.filter((l) => l.component === 'access' && String(l.replica) !== 'undefined').map((l) => l.routing));
    for (const g of gateways) g.lines.length = 0;
    return { served: sims.map((s, i) => served(s) - before[i]!), reasons };
  }

  it('keeps a conversation on one replica when its turns alternate between two gateways', async () => {
    const { served: counts, reasons } = await conversation('Vienna', 6);
    expect(counts.filter((n) => n > 0)).toEqual([6]);
    expect(reasons.filter((r) => r === 'prefix')).toHaveLength(5);
  });

  it('keeps serving with Redis gone, each gateway on what it sent itself', async () => {
    await redis.stop();
    const { served: counts } = await conversation('Zurich', 4);
    expect(counts.reduce((a, b) => a + b)).toBe(4);
    // Each gateway still holds its own turns: at most one replica per gateway.
    expect(counts.filter((n) => n > 0).length).toBeLessThanOrEqual(2);
    await redis.restart();
  });
});
