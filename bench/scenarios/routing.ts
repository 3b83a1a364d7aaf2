// Routing over replicas that cache prompt prefixes: several simulators, each
// with a prefix cache, a prefill cost per uncached prompt token and a running
// batch, under multi-turn conversations that share a few long system prompts,
// arriving open-loop near the replicas' capacity. The same workload (same
// seed) goes through three front ends, each on fresh replicas (cold caches):
// round-robin (the floor proxy over every replica), the gateway with
// ROUTING=least-in-flight, the gateway with ROUTING=prefix-aware, and two
// gateway processes (WORKERS=2: each turn lands on either) prefix-aware
// without and with REDIS_URL, where they share their prefix index.
import { runLoad } from '../lib/load.ts';
import { redisInstalled, startRedis } from '../lib/redis.ts';
import { MODEL_ID, startFloor, startGateway, startSimulator, type Running } from '../lib/stack.ts';
import { median } from '../lib/stats.ts';
import { markdownTable, ms, num, times } from '../lib/table.ts';
import type { ConversationsJob, ConversationsResult } from '../load/conversations.ts';
import type { ScenarioOutcome, Shared, Target } from './types.ts';

interface Front {
  name: string;
  start(upstreams: string): Promise<Running>;
  /** Why it cannot run here, if it cannot. */
  missing?: () => string | undefined;
}

const TWO_PROCESSES = 'prefix-aware, 2 processes';
/** The replicas' queues read four times a second: two processes see each other's load through them. */
const GATEWAY = { UPSTREAM_METRICS_INTERVAL_MS: '250' };
const SHARED = 'prefix-aware, 2 processes + Redis';

const FRONTS: Front[] = [
  { name: 'round-robin (floor)', start: (upstreams) => startFloor(upstreams) },
  { name: 'least-in-flight', start: (upstreams) => startGateway(upstreams, 'tgi', { ...GATEWAY, ROUTING: 'least-in-flight' }) },
  { name: 'prefix-aware', start: (upstreams) => startGateway(upstreams, 'tgi', { ...GATEWAY, ROUTING: 'prefix-aware' }) },
  { name: TWO_PROCESSES, start: (upstreams) => startGateway(upstreams, 'tgi', { ...GATEWAY, ROUTING: 'prefix-aware', WORKERS: '2' }) },
  {
    name: SHARED,
    missing: () => (redisInstalled() ? undefined : 'redis-server is not installed'),
    start: async (upstreams) => {
      const redis = await startRedis();
      try {
        const gateway = await startGateway(upstreams, 'tgi', { ...GATEWAY, ROUTING: 'prefix-aware', WORKERS: '2', REDIS_URL: redis.url });
        return { ...gateway, stop: async () => {
          await gateway.stop();
          await redis.stop();
        } };
      } catch (error) {
        await redis.stop();
        throw error;
      }
    },
  },
];

interface Row {
  front: string;
  result: ConversationsResult;
  /** Generations each replica served during the run. */
  perReplica: number[];
}

/** Long system prompts, distinct from their first words on. */
function systemPrompts(count: number, chars: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    let text = `System prompt ${i}: you are assistant number ${i} of the shop.`;
    for (let n = 0; text.length < chars; n++) text += ` Rule ${i}.${n}: answer about bicycles, politely and briefly.`;
    return text;
  });
}

async function served(sim: Running): Promise<number> {
  const stats = (await (await fetch(`${sim.url}/__simulator/stats`)).json()) as { requestsByRoute: Record<string, number> };
  return stats.requestsByRoute['POST /generate_stream'] ?? 0;
}

export async function runRouting(shared: Shared): Promise<ScenarioOutcome> {
  const { profile, log } = shared;
  const r = profile.routing;
  const job: Omit<ConversationsJob, 'url'> = {
    modelId: MODEL_ID, seed: 21, durationMs: r.durationMs, warmupMs: r.warmupMs, conversationsPerSecond: r.conversationsPerSecond,
    turns: r.turns, systemPrompts: systemPrompts(r.systemPrompts, r.systemChars), questionChars: r.questionChars,
    answerChars: r.answerChars, thinkMs: r.thinkMs, maxNewTokens: r.maxNewTokens, drainMs: 30_000,
  };
  const rows: Row[] = [];
  const errors: string[] = [];
  // Rounds go through every front end in turn, so that a machine busier at one moment weighs on all of them.
  for (let round = 1; round <= profile.rounds; round++) for (const front of FRONTS) {
    const missing = front.missing?.();
    if (missing !== undefined) {
      if (round === 1) log(`routing: ${front.name} skipped: ${missing}`);
      continue;
    }
    const sims: Running[] = [];
    let running: Running | undefined;
    try {
      for (let i = 0; i < r.replicas; i++) {
        sims.push(await startSimulator(`simulator (routing ${i + 1})`, {
          timeToFirstTokenMs: r.ttftMs, timePerTokenMs: r.tokenMs, maxBatchSize: r.maxBatchSize,
          prefillMsPerToken: r.prefillMsPerToken, prefixCacheBlocks: r.prefixCacheBlocks,
        }));
      }
      running = await front.start(sims.map((s) => s.url).join(','));
      const before = await Promise.all(sims.map(served));
      log(`routing: round ${round}/${profile.rounds}, ${front.name}, ${r.replicas} replicas, ${num(r.durationMs / 1000)} s of conversations`);
      const result = await runLoad<ConversationsResult>('conversations.ts', { ...job, url: running.url }, r.durationMs + 60_000);
      const after = await Promise.all(sims.map(served));
      rows.push({ front: front.name, result, perReplica: after.map((n, i) => n - before[i]!) });
      log(`routing: ${front.name}: TTFT p50 ${ms(result.ttft.p50)} ms, p90 ${ms(result.ttft.p90)} ms, ${result.completed} turns, ${result.failed} failed`);
    } catch (error) {
      // One front end that cannot run does not cost the others' figures.
      errors.push(`routing, ${front.name}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await running?.stop();
      await Promise.all(sims.map((s) => s.stop()));
    }
  }
  const outcome = summarise(FRONTS.map((front) => merged(front.name, rows.filter((row) => row.front === front.name))).filter((row) => row !== undefined), profile);
  return { ...outcome, failures: [...outcome.failures, ...errors] };
}

/** A front end's rounds as one row: the median of each percentile, the sums of the counts. */
function merged(front: string, rounds: Row[]): Row | undefined {
  if (rounds.length === 0) return undefined;
  const sum = (pick: (row: Row) => number) => rounds.reduce((total, row) => total + pick(row), 0);
  const ttft = rounds.map((row) => row.result.ttft);
  return {
    front,
    result: {
      ttft: { count: sum((row) => row.result.ttft.count), p50: median(ttft.map((t) => t.p50)), p90: median(ttft.map((t) => t.p90)), p99: median(ttft.map((t) => t.p99)), max: Math.max(...ttft.map((t) => t.max)) },
      completed: sum((row) => row.result.completed),
      failed: sum((row) => row.result.failed),
      failures: rounds.flatMap((row) => row.result.failures),
      tokens: sum((row) => row.result.tokens),
      windowMs: sum((row) => row.result.windowMs),
    },
    perReplica: rounds[0]!.perReplica.map((_, i) => sum((row) => row.perReplica[i] ?? 0)),
  };
}

function maxOverMean(counts: readonly number[]): number {
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  return mean === 0 ? NaN : Math.max(...counts) / mean;
}

function summarise(rows: Row[], profile: Shared['profile']): ScenarioOutcome {
  const r = profile.routing;
  const title = `### routing (${profile.rounds === 1 ? '1 round' : `median of ${profile.rounds} rounds`}): ${r.replicas} replicas (batch ${r.maxBatchSize}, ${r.prefillMsPerToken} ms prefill per uncached token, ` +
    `${num(r.prefixCacheBlocks)}-block prefix cache), ${r.conversationsPerSecond} conversations/s of ${r.turns} turns over ${r.systemPrompts} system prompts`;
  const table = markdownTable(
    ['front end', 'TTFT p50', 'TTFT p90', 'TTFT p99', 'turns/s', 'tokens/s', 'failed', 'per replica', 'max / mean'],
    rows.map(({ front, result, perReplica }) => [
      front, ms(result.ttft.p50), ms(result.ttft.p90), ms(result.ttft.p99),
      num(result.completed / (result.windowMs / 1000), 1), num(result.tokens / (result.windowMs / 1000)), num(result.failed),
      perReplica.join(' / '), times(maxOverMean(perReplica)),
    ]),
  );
  const p90 = (name: string) => rows.find((row) => row.front === name)?.result.ttft.p90 ?? NaN;
  const prefix = rows.find((row) => row.front === 'prefix-aware');
  const targets: Target[] = [
    ratioTarget('prefix-aware TTFT p90 vs round-robin', p90('prefix-aware') / p90('round-robin (floor)'), 0.5),
    ratioTarget('prefix-aware TTFT p90 vs least-in-flight', p90('prefix-aware') / p90('least-in-flight'), 0.6),
    ratioTarget('2 processes sharing through Redis: TTFT p90 vs round-robin', p90(SHARED) / p90('round-robin (floor)'), 0.5),
    {
      name: 'prefix-aware, busiest replica vs the mean',
      value: prefix ? maxOverMean(prefix.perReplica) : NaN, unit: '×', rule: '≤ 1.6×',
      pass: prefix ? maxOverMean(prefix.perReplica) <= 1.6 : undefined,
    },
  ];
  const failures = rows.filter((row) => row.result.failed > 0).map((row) => `routing, ${row.front}: ${row.result.failed} turns failed (${row.result.failures.join(', ')})`);
  return { name: 'routing', tables: [`${title}\n\n${table}`], figures: rows, targets, failures };
}

function ratioTarget(name: string, value: number, limit: number): Target {
  return { name, value, unit: '×', rule: `≤ ${limit}×`, pass: Number.isFinite(value) ? value <= limit : undefined };
}
