// Unary generations at zero latency: what each path costs per request.
// Paths: direct to the simulator, the floor's byte pass-through of /generate,
// the gateway's REST /generate and GraphQL `generate`; and the gateway's
// OpenAI-compatible /v1/completions (beside /generate's floor) and
// /v1/chat/completions (beside the floor's pass-through of the simulator's own
// /v1/chat/completions). Loads: a closed loop of 32 connections (the most
// req/s), and open loops at fixed rates (latency).
import { CHAT_MODEL, chatBody, chatInput } from '../lib/chat-body.ts';
import { runLoad } from '../lib/load.ts';
import { MODEL_ID, startFloor, startGateway } from '../lib/stack.ts';
import { median, ratio } from '../lib/stats.ts';
import { markdownTable, ms, num, signedMs, times } from '../lib/table.ts';
import { tgiBody } from '../lib/tgi-body.ts';
import { expectedTexts } from '../load/reference.ts';
import type { UnaryJob, UnaryResult } from '../load/unary.ts';
import type { ScenarioOutcome, Shared, Target } from './types.ts';

const PROMPT = 'The bench asks for a short answer';
const SEED = 42;
const PATHS = ['direct', 'floor', 'gateway REST', 'gateway GraphQL', 'gateway /v1 completions', 'floor chat', 'gateway /v1 chat'] as const;
type PathName = (typeof PATHS)[number];
/** The floor each path is priced against: the same upstream route passed through. */
const FLOOR_OF: Record<PathName, 'floor' | 'floor chat'> = {
  direct: 'floor', floor: 'floor', 'gateway REST': 'floor', 'gateway GraphQL': 'floor', 'gateway /v1 completions': 'floor', 'floor chat': 'floor chat', 'gateway /v1 chat': 'floor chat',
};
const GENERATE = 'mutation ($input: GenerateInput!) { generate(input: $input) { generatedText } }';

export async function runUnary(shared: Shared): Promise<ScenarioOutcome> {
  const { profile, instantSim, log } = shared;
  const p = profile.unary;
  const floor = await startFloor(instantSim.url);
  const gateway = await startGateway(instantSim.url);
  try {
    const input = { prompt: PROMPT, maxNewTokens: p.maxNewTokens, seed: SEED };
    const [text] = await expectedTexts(instantSim.url, [input]);
    const [chatText] = await expectedTexts(instantSim.url, [input], CHAT_MODEL.tgi);
    const tgi = tgiBody(input);
    const chat = chatInput(MODEL_ID, input);
    const targets: Record<PathName, Pick<UnaryJob, 'port' | 'path' | 'body' | 'pid'>> = {
      direct: { port: portOf(instantSim.url), path: '/generate', body: tgi, pid: undefined },
      floor: { port: portOf(floor.url), path: '/generate', body: tgi, pid: floor.child.pid },
      'gateway REST': {
        port: portOf(gateway.url), path: '/generate', pid: gateway.child.pid,
        body: JSON.stringify({ model_id: MODEL_ID, prompt: PROMPT, max_new_tokens: p.maxNewTokens, seed: SEED }),
      },
      'gateway GraphQL': {
        port: portOf(gateway.url), path: '/graphql', pid: gateway.child.pid,
        body: JSON.stringify({ query: GENERATE, variables: { input: { modelId: MODEL_ID, prompt: PROMPT, maxNewTokens: p.maxNewTokens, seed: SEED } } }),
      },
      // GraphQL's sampling defaults, which /v1 leaves to the client.
      'gateway /v1 completions': {
        port: portOf(gateway.url), path: '/v1/completions', pid: gateway.child.pid,
        body: JSON.stringify({ model: MODEL_ID, prompt: PROMPT, max_tokens: p.maxNewTokens, temperature: 0.7, top_p: 0.95, seed: SEED }),
      },
      'floor chat': { port: portOf(floor.url), path: '/v1/chat/completions', body: chatBody(chat, CHAT_MODEL.tgi, false), pid: floor.child.pid },
      'gateway /v1 chat': { port: portOf(gateway.url), path: '/v1/chat/completions', body: chatBody(chat, MODEL_ID, false), pid: gateway.child.pid },
    };
    const expected = (path: PathName) => JSON.stringify(FLOOR_OF[path] === 'floor chat' ? chatText : text);
    const modes = [{ label: `closed loop, ${p.connections} connections`, rate: 0 }, ...p.rates.map((rate) => ({ label: `open loop, ${rate} req/s`, rate }))];
    // rounds[r][mode][path]
    const rounds: Record<string, Record<PathName, UnaryResult>>[] = [];
    for (let round = 1; round <= profile.rounds; round++) {
      const byMode: Record<string, Record<PathName, UnaryResult>> = {};
      for (const mode of modes) {
        const byPath = {} as Record<PathName, UnaryResult>;
        for (const path of PATHS) {
          log(`unary: round ${round}/${profile.rounds}, ${mode.label}, ${path}`);
          const job: UnaryJob = {
            ...targets[path], expect: expected(path), mode: mode.rate === 0 ? 'closed' : 'open',
            connections: p.connections, rate: mode.rate, warmupMs: p.warmupMs, durationMs: mode.rate === 0 ? p.closedMs : p.openMs,
          };
          byPath[path] = await runLoad<UnaryResult>('unary.ts', job, p.warmupMs + job.durationMs + 30_000);
        }
        byMode[mode.label] = byPath;
      }
      rounds.push(byMode);
    }
    return summarise(modes.map((m) => m.label), rounds);
  } finally {
    await Promise.all([floor.stop(), gateway.stop()]);
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

type Rounds = Record<string, Record<PathName, UnaryResult>>[];

function summarise(modes: string[], rounds: Rounds): ScenarioOutcome {
  /** Median over rounds of a figure of one path, or of a figure computed per round from several paths. */
  const med = (mode: string, f: (byPath: Record<PathName, UnaryResult>) => number) => median(rounds.map((r) => f(r[mode]!)));
  const failures: string[] = [];
  for (const [index, round] of rounds.entries()) {
    for (const [mode, byPath] of Object.entries(round)) {
      for (const path of PATHS) {
        const r = byPath[path];
        if (r.failed > 0) failures.push(`unary round ${index + 1}, ${mode}, ${path}: ${r.failed} failed (${r.firstFailure})`);
      }
    }
  }
  const figures: Record<string, Record<string, Record<string, number>>> = {};
  const tables: string[] = [];
  const [closed, ...open] = modes as [string, ...string[]];
  const closedRows = PATHS.map((path) => {
    const f = {
      requestsPerSecond: med(closed, (b) => b[path].requestsPerSecond),
      vsFloor: med(closed, (b) => ratio(b[path].requestsPerSecond, b[FLOOR_OF[path]].requestsPerSecond)),
      vsDirect: med(closed, (b) => ratio(b[path].requestsPerSecond, b.direct.requestsPerSecond)),
      p50: med(closed, (b) => b[path].latency.p50),
      p99: med(closed, (b) => b[path].latency.p99),
      cpuMicrosPerRequest: med(closed, (b) => b[path].cpuMicrosPerRequest),
      cpuVsFloor: med(closed, (b) => ratio(b[path].cpuMicrosPerRequest, b[FLOOR_OF[path]].cpuMicrosPerRequest)),
    };
    (figures[closed] ??= {})[path] = f;
    return [path, num(f.requestsPerSecond), times(f.vsFloor), times(f.vsDirect), ms(f.p50), ms(f.p99), num(f.cpuMicrosPerRequest), times(f.cpuVsFloor)];
  });
  tables.push(`### unary: ${closed} (median of ${rounds.length} rounds)\n\n` +
    markdownTable(['path', 'req/s', '× floor', '× direct', 'p50 ms', 'p99 ms', 'CPU µs/req', 'CPU × floor'], closedRows));
  const openRows = open.flatMap((mode) => PATHS.map((path) => {
    const f = {
      p50: med(mode, (b) => b[path].latency.p50),
      p90: med(mode, (b) => b[path].latency.p90),
      p99: med(mode, (b) => b[path].latency.p99),
      addedP50VsDirect: med(mode, (b) => b[path].latency.p50 - b.direct.latency.p50),
      addedP99VsDirect: med(mode, (b) => b[path].latency.p99 - b.direct.latency.p99),
      addedP99VsFloor: med(mode, (b) => b[path].latency.p99 - b[FLOOR_OF[path]].latency.p99),
      p99VsFloor: med(mode, (b) => ratio(b[path].latency.p99, b[FLOOR_OF[path]].latency.p99)),
      p99VsDirect: med(mode, (b) => ratio(b[path].latency.p99, b.direct.latency.p99)),
      failed: med(mode, (b) => b[path].failed),
    };
    (figures[mode] ??= {})[path] = f;
    return [mode.replace('open loop, ', ''), path, ms(f.p50), ms(f.p90), ms(f.p99), signedMs(f.addedP50VsDirect), signedMs(f.addedP99VsDirect),
      signedMs(f.addedP99VsFloor), times(f.p99VsFloor), times(f.p99VsDirect), num(f.failed)];
  }));
  tables.push(`### unary: open loop, latency from the intended send time (median of ${rounds.length} rounds)\n\n` +
    markdownTable(['rate', 'path', 'p50 ms', 'p90 ms', 'p99 ms', 'added p50 vs direct', 'added p99 vs direct', 'added p99 vs floor', 'p99 × floor', 'p99 × direct', 'failed'], openRows));
  const c = figures[closed]!;
  const at1000 = open.find((m) => m.includes('1000 req/s'));
  const targets: Target[] = [
    { name: 'REST generate req/s', value: c['gateway REST']!['vsFloor']!, unit: '× floor', rule: '≥ 0.85× floor', pass: c['gateway REST']!['vsFloor']! >= 0.85 },
    { name: 'GraphQL generate req/s', value: c['gateway GraphQL']!['vsFloor']!, unit: '× floor', rule: '≥ 0.60× floor', pass: c['gateway GraphQL']!['vsFloor']! >= 0.6 },
    ...(['gateway REST', 'gateway GraphQL'] as const).map((path): Target => {
      const added = at1000 === undefined ? NaN : figures[at1000]![path]!['addedP99VsDirect']!;
      return { name: `${path} added p99 at 1,000 req/s`, value: added, unit: 'ms over direct', rule: '≤ 1 ms', pass: Number.isFinite(added) ? added <= 1 : false };
    }),
  ];
  return { name: 'unary', tables, figures: { medians: figures, rounds }, targets, failures };
}
