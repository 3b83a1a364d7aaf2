// Two gateway processes pointed at one Redis share one count per key; when
// Redis goes away they keep answering (REDIS_FAILURE_MODE decides how), and
// share again once it is back.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { alive, startGatewayProcess, type GatewayProcess } from '../attacks/gateway-process.ts';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { allowed } from '../support/timing.ts';
import { eventually } from '../e2e/harness.ts';

const KEY = 'sk-shared-0123456789abcd';
const FRESH = 'sk-fresh-0123456789abcde';
const GENERATE = 'mutation { generate(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 3}) { generatedText } }';

async function generate(gateway: GatewayProcess, key = KEY): Promise<{ code?: string; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query: GENERATE }),
    signal: AbortSignal.timeout(5000),
  });
  const { errors } = (await res.json()) as { errors?: { extensions: { code: string } }[] };
  return { code: errors?.[0]?.extensions.code, ms: performance.now() - started };
}

describeWithRedis('rate limits shared through Redis', () => {
  let redis: RedisServer;
  let simulator: Simulator;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let closed: GatewayProcess;
  /** The slowest generation answered with Redis up, in this run: "at once" without Redis is judged against it. */
  let withRedisMs = 0;
  beforeAll(async () => {
    redis = await startRedisServer();
    simulator = await startSimulator({ timeToFirstTokenMs: 1, timePerTokenMs: 1 });
    const env = { TGI_SIM_ENDPOINT: simulator.url, API_KEYS: `${KEY},${FRESH}`, REDIS_URL: redis.url, RATE_LIMIT_RPM: '5' };
    [a, b, closed] = await Promise.all([
      startGatewayProcess(env),
      startGatewayProcess(env),
      startGatewayProcess({ ...env, RATE_LIMIT_RPM: '1000', REDIS_FAILURE_MODE: 'closed' }),
    ]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a, b, closed].map((g) => g?.stop()));
    await simulator?.close();
    await redis?.stop();
  });

  it('two processes count one key together', async () => {
    const answers = [];
    for (const gateway of [a, b, a, b, a]) answers.push(await generate(gateway));
    expect(answers.map((x) => x.code)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    withRedisMs = Math.max(...answers.map((x) => x.ms));
    expect((await generate(b)).code).toBe('RATE_LIMITED');
    expect((await generate(a)).code).toBe('RATE_LIMITED');
  });

  it('with Redis down, neither process fails or waits: open counts in each process, closed refuses', async () => {
    await redis.stop();
    // "open": this process's own count starts afresh (5 per minute here), answered at once.
    const answers = [await generate(a), await generate(a)];
    expect(answers.map((x) => x.code)).toEqual([undefined, undefined]);
    for (const answer of answers) expect(answer.ms).toBeLessThan(allowed(withRedisMs));
    // "closed": refused, at once, with the code clients retry on.
    const refused = await generate(closed);
    expect(refused.code).toBe('RATE_LIMITED');
    expect(refused.ms).toBeLessThan(allowed(withRedisMs));
    expect(alive(a) && alive(b) && alive(closed)).toBe(true);
    // The warning is written when the process notices, which on a busy machine may come after its answers.
    await eventually(() => /redis/i.test(a.log()), 15_000, 'process a to log that Redis is down');
  });

  it('once Redis is back, counting is shared again', async () => {
    await redis.restart();
    // Reconnection backs off up to 2 s; each process says when it counts in Redis again.
    const back = (g: GatewayProcess) => g.log().includes('Redis is back');
    const until = Date.now() + 10_000;
    while (!(back(a) && back(b))) {
      if (Date.now() > until) throw new Error('the gateways did not use Redis again');
      await generate(a);
      await generate(b);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await generate(closed)).code).toBeUndefined();
    // A key not used before: five requests across both processes, then the shared limit.
    const codes = [];
    for (const gateway of [a, b, a, b, a, b]) codes.push((await generate(gateway, FRESH)).code);
    expect(codes).toEqual([undefined, undefined, undefined, undefined, undefined, 'RATE_LIMITED']);
  });
});
