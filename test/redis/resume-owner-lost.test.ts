// A generation whose process dies mid-stream (SIGKILL: no drain, no last
// words): readers in another process learn it within the heartbeat's expiry,
// after the events they already had, and never wait for the copy in Redis to
// expire. A process that is alive but runs one generation for longer than
// that expiry is never taken for dead.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HEARTBEAT_TTL_MS } from '../../src/generation/resume/heartbeat.ts';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { startGatewayProcess, type GatewayProcess } from '../attacks/gateway-process.ts';
import { collectWs, post, wsClient, type Result } from '../e2e/clients.ts';
import { sseUntilDrop } from '../e2e/resume-clients.ts';
import { CancelGenerationDocument, ResumableGenerateStreamDocument, ResumeGenerateStreamDocument, type ResumeGenerateStreamSubscription } from '../gql/graphql.ts';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';

const KEY = 'sk-resume-0123456789abcd';
const keyed = { connectionParams: { authorization: `Bearer ${KEY}` } };
const TOKEN_MS = 40;
/** The copy in Redis of a running generation lasts STREAM_RESUME_MS + UPSTREAM_TIMEOUT_MS: 180 s here. */
const RESUME_MS = 60_000;
const input = (maxNewTokens: number) => ({ input: { modelId: 'sim', prompt: 'Tell me about GPUs', maxNewTokens, seed: 4, resumable: true } });
const wsUrlOf = (gateway: GatewayProcess) => `${gateway.url.replace(/^http/, 'ws')}/graphql`;
const indices = (payloads: Result<ResumeGenerateStreamSubscription>[]) => payloads.flatMap((p) => (p.data ? [p.data.resumeGenerateStream.index] : []));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function startOn(gateway: GatewayProcess, maxNewTokens: number): Promise<string> {
  const first = await sseUntilDrop(gateway.url, ResumableGenerateStreamDocument, input(maxNewTokens), { dropAfter: 1, headers: { 'x-api-key': KEY } });
  const generationId = first.payloads[0]?.data?.generateStream.generationId;
  if (!generationId) throw new Error(JSON.stringify(first));
  return generationId;
}

/** A resume over graphql-ws whose payloads can be watched as they come. */
function follow(gateway: GatewayProcess, generationId: string) {
  const client = wsClient(wsUrlOf(gateway), keyed);
  const payloads: Result<ResumeGenerateStreamSubscription>[] = [];
  let arrived = () => undefined as void;
  const ended = (async () => {
    try {
      for await (const payload of client.iterate({ query: ResumeGenerateStreamDocument.toString(), variables: { generationId, afterIndex: 0 } })) {
        payloads.push(payload as Result<ResumeGenerateStreamSubscription>);
        arrived();
      }
      return performance.now();
    } finally {
      await client.dispose();
    }
  })();
  const received = (count: number) =>
    new Promise<void>((resolve) => {
      arrived = () => {
        if (payloads.length >= count) resolve();
      };
      arrived();
    });
  return { payloads, ended, received };
}

describeWithRedis('a resumable generation whose process dies (REDIS_URL)', () => {
  let redis: RedisServer;
  let simulator: Simulator;
  let a: GatewayProcess;
  let b: GatewayProcess;
  beforeAll(async () => {
    redis = await startRedisServer();
    simulator = await startSimulator({ timeToFirstTokenMs: 5, timePerTokenMs: TOKEN_MS });
    const env = { TGI_SIM_ENDPOINT: simulator.url, API_KEYS: KEY, REDIS_URL: redis.url, STREAM_RESUME_MS: String(RESUME_MS) };
    [a, b] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([a, b].map((g) => g?.stop()));
    await simulator?.close();
    await redis?.stop();
  });

  it('a live process running a generation for longer than the heartbeat expiry is never taken for dead', async () => {
    const tokens = Math.ceil((2 * HEARTBEAT_TTL_MS) / TOKEN_MS);
    const generationId = await startOn(a, tokens);
    const reader = follow(b, generationId);
    await reader.ended;
    expect(reader.payloads.filter((p) => p.errors)).toEqual([]);
    expect(indices(reader.payloads)).toEqual(range(1, tokens));
  }, 30_000);

  it('a reader elsewhere ends within the heartbeat expiry after its events; a later resume gets the kept events, then the same error, and a cancel answers false', async () => {
    const generationId = await startOn(a, 3000);
    const reader = follow(b, generationId);
    await reader.received(5);
    const exited = new Promise((resolve) => a.child.once('exit', resolve));
    a.child.kill('SIGKILL'); // no drain, nothing more written to Redis
    const killed = performance.now();
    await exited;

    const endedAt = await reader.ended;
    const seen = indices(reader.payloads);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(seen).toEqual(range(1, seen.length));
    expect(reader.payloads).toHaveLength(seen.length + 1);
    expect(reader.payloads.at(-1)!.errors![0]!.extensions?.code).toBe('GENERATION_NOT_FOUND');
    // Bounded by the expiry and one blocking read, far from the copy's 180 s.
    expect(endedAt - killed).toBeLessThan(2 * HEARTBEAT_TTL_MS + 2_000);

    const client = wsClient(wsUrlOf(b), keyed);
    const replay = await collectWs(client, ResumeGenerateStreamDocument, { generationId, afterIndex: 0 });
    await client.dispose();
    expect(indices(replay)).toEqual(seen);
    expect(replay).toHaveLength(seen.length + 1);
    expect(replay.at(-1)!.errors![0]!.extensions?.code).toBe('GENERATION_NOT_FOUND');
    // Nothing runs it any more.
    const cancel = await post(b.url, CancelGenerationDocument, { generationId }, { headers: { 'x-api-key': KEY } });
    expect(cancel.data?.cancelGeneration).toBe(false);
  }, 30_000);
});
