// Resumable streams across gateway processes that share one Redis: one
// process runs the generation, the other serves its resume and its cancel,
// exactly as the first would; a drain ends detached generations and leaves
// what they produced readable.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { startGatewayProcess, type GatewayProcess } from '../attacks/gateway-process.ts';
import { collectSse, collectWs, post, wsClient, type Result } from '../e2e/clients.ts';
import { eventually } from '../e2e/harness.ts';
import { sseUntilDrop } from '../e2e/resume-clients.ts';
import {
  CancelGenerationDocument,
  ResumableGenerateStreamDocument,
  ResumeGenerateStreamDocument,
  type ResumableGenerateStreamSubscription,
  type ResumeGenerateStreamSubscription,
} from '../gql/graphql.ts';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';

const KEY = 'sk-resume-0123456789abcd';
const OTHER = 'sk-other-0123456789abcde';
const headers = (key: string) => ({ 'x-api-key': key });
const keyed = (key: string) => ({ connectionParams: { authorization: `Bearer ${key}` } });
const input = (maxNewTokens: number) => ({ input: { modelId: 'sim', prompt: 'Tell me about GPUs', maxNewTokens, seed: 9, resumable: true } });
const wsUrlOf = (gateway: GatewayProcess) => `${gateway.url.replace(/^http/, 'ws')}/graphql`;
const indices = (payloads: Result<ResumeGenerateStreamSubscription>[]) => payloads.flatMap((p) => (p.data ? [p.data.resumeGenerateStream.index] : []));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function startOn(gateway: GatewayProcess, maxNewTokens: number, dropAfter: number): Promise<{ generationId: string; events: ResumableGenerateStreamSubscription['generateStream'][] }> {
  const first = await sseUntilDrop(gateway.url, ResumableGenerateStreamDocument, input(maxNewTokens), { dropAfter, headers: headers(KEY) });
  if (!first.payloads[0]?.data) throw new Error(JSON.stringify(first));
  const events = first.payloads.map((p) => p.data!.generateStream);
  return { generationId: events[0]!.generationId, events };
}

describeWithRedis('resumable streams across processes (REDIS_URL)', () => {
  let redis: RedisServer;
  let simulator: Simulator;
  let a: GatewayProcess;
  let b: GatewayProcess;
  beforeAll(async () => {
    redis = await startRedisServer();
    simulator = await startSimulator({ timeToFirstTokenMs: 5, timePerTokenMs: 10 });
    const env = { TGI_SIM_ENDPOINT: simulator.url, API_KEYS: `${KEY},${OTHER}`, REDIS_URL: redis.url, SHUTDOWN_DRAIN_MS: '5000' };
    [a, b] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([a, b].map((g) => g?.stop()));
    await simulator?.close();
    await redis?.stop();
  });

  it('serves the resume of a generation another process runs: the rest, exactly, live included, one generation upstream', async () => {
    const requests = simulator.stats().requestsByRoute['POST /generate_stream'] ?? 0;
    const { generationId, events } = await startOn(a, 60, 3);
    const last = events.at(-1)!;
    const client = wsClient(wsUrlOf(b), keyed(KEY));
    const rest = await collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: last.index });
    await client.dispose();
    expect(rest.filter((p) => p.errors)).toEqual([]);
    expect([...events.map((e) => e.index), ...indices(rest)]).toEqual(range(1, 60));
    const whole = [...events.map((e) => e.token.text), ...rest.map((p) => p.data!.resumeGenerateStream.token.text)].join('');
    expect(whole).toBe(rest.at(-1)!.data!.resumeGenerateStream.generatedText);
    expect(simulator.stats().requestsByRoute['POST /generate_stream']).toBe(requests + 1);
  });

  it('answers another key GENERATION_NOT_FOUND there too', async () => {
    const { generationId } = await startOn(a, 5, 1);
    const client = wsClient(wsUrlOf(b), keyed(OTHER));
    const refused = await collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: 0 });
    await client.dispose();
    expect(refused[0]!.errors![0]!.extensions?.code).toBe('GENERATION_NOT_FOUND');
    const cancel = await post(b.url, CancelGenerationDocument, { generationId }, { headers: headers(OTHER) });
    expect(cancel.errors![0]!.extensions?.code).toBe('GENERATION_NOT_FOUND');
  });

  it('cancels from the other process: the upstream generation ends', async () => {
    const aborted = simulator.stats().abortedStreams;
    const { generationId } = await startOn(a, 3000, 1);
    const cancel = await post(b.url, CancelGenerationDocument, { generationId }, { headers: headers(KEY) });
    expect(cancel.data?.cancelGeneration).toBe(true);
    await eventually(() => simulator.stats().abortedStreams === aborted + 1, 3000, 'the simulator to see the abort');
  });

  it('ends the upstream when the last reader, in the other process, stops explicitly', async () => {
    const aborted = simulator.stats().abortedStreams;
    const { generationId } = await startOn(a, 3000, 1); // detached on its own process
    const client = wsClient(wsUrlOf(b), keyed(KEY));
    await new Promise<void>((resolve, reject) => {
      const unsubscribe = client.subscribe<ResumeGenerateStreamSubscription>(
        { query: ResumeGenerateStreamDocument.toString(), variables: { generationId, afterIndex: 0 } },
        {
          next: () => {
            unsubscribe(); // graphql-ws complete: an explicit stop
            resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    // Long before STREAM_RESUME_MS (30 s) could end it.
    await eventually(() => simulator.stats().abortedStreams === aborted + 1, 3000, 'the simulator to see the abort');
    await client.dispose();
  });

  it('never waits for Redis on the relay path: with Redis frozen a resumable stream runs at its own pace', async () => {
    const timed = async () => {
      const started = performance.now();
      const { payloads, completed } = await collectSse(a.url, ResumableGenerateStreamDocument, input(30), { headers: headers(KEY) });
      expect(completed).toBe(true);
      expect(payloads).toHaveLength(30);
      return performance.now() - started;
    };
    const baseline = await timed();
    redis.pause();
    try {
      // A relay that waited on Redis would wait out its 2 s command timeout at least once.
      expect(await timed()).toBeLessThan(baseline + 1500);
    } finally {
      redis.resume();
    }
  });

  it('a drain ends detached generations with GATEWAY_SHUTTING_DOWN; what they produced stays readable from the other process', async () => {
    const { generationId } = await startOn(a, 3000, 2);
    const exited = new Promise((resolve) => a.child.once('exit', resolve));
    a.child.kill('SIGTERM'); // the drain starts: it ends the detached generation at once, then the process stops
    await exited;
    const client = wsClient(wsUrlOf(b), keyed(KEY));
    const replay = await collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: 0 });
    await client.dispose();
    const events = indices(replay);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events).toEqual(range(1, events.length));
    expect(replay.at(-1)!.errors![0]!.extensions?.code).toBe('GATEWAY_SHUTTING_DOWN');
  });
});
