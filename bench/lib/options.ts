// Command-line flags of `npm run bench`, and every knob they imply, in one
// place: two runs with the same flags measure the same things.
import { parseArgs } from 'node:util';

export const SCENARIOS = ['unary', 'streaming', 'chat', 'tools', 'cancellation', 'growth', 'resume', 'routing'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Profile {
  quick: boolean;
  big: boolean;
  rounds: number;
  scenarios: ScenarioName[];
  out: string | undefined;
  unary: {
    connections: number;
    rates: number[];
    closedMs: number;
    openMs: number;
    warmupMs: number;
    maxNewTokens: number;
  };
  streaming: { ks: number[]; tokens: number; ttftMs: number; tokenMs: number; muxSockets: number };
  /** chatStream over a TGI and an OpenAI-compatible simulator, paced as the streaming scenario. */
  chat: { ks: number[]; tokens: number; ttftMs: number; tokenMs: number };
  /** chatStream with a tool call and with a JSON_SCHEMA answer, against plain text, on both protocols. */
  tools: { streams: number; tokens: number; ttftMs: number; tokenMs: number };
  cancellation: { perMode: number; concurrency: number; afterTokens: number };
  /** Streams of `tokens` from a zero-latency simulator, one after another; `resumes` resumes timed to their first replayed event. */
  resume: { streams: number; tokens: number; resumes: number };
  /** Replicas that cache prompt prefixes, under multi-turn conversations arriving near their capacity. */
  routing: {
    replicas: number;
    durationMs: number;
    warmupMs: number;
    conversationsPerSecond: number;
    turns: number;
    systemPrompts: number;
    systemChars: number;
    questionChars: number;
    answerChars: number;
    thinkMs: number;
    maxNewTokens: number;
    /** The simulated servers: batch, prefill per uncached token, prefix cache (16-token blocks), pace. */
    maxBatchSize: number;
    prefillMsPerToken: number;
    prefixCacheBlocks: number;
    ttftMs: number;
    tokenMs: number;
  };
  growth: {
    /** Prompt and token axes: this many streams, this fast, so the token rate stays the same along each axis. */
    streams: number;
    tokenMs: number;
    promptBytes: number[];
    promptTokens: number;
    tokenCounts: number[];
    /** Streams axis: the per-token time grows with the count, so every row relays `rate` tokens/s in all. */
    streamCounts: number[];
    streamTokens: number;
    rate: number;
  };
}

const USAGE = `usage: node bench/run.ts [--quick] [--big] [--scenario ${SCENARIOS.join('|')}]... [--rounds N] [--out file.json]`;

export function parseProfile(argv: readonly string[]): Profile {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean', default: false },
        big: { type: 'boolean', default: false },
        scenario: { type: 'string', multiple: true },
        rounds: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const scenarios = (values.scenario ?? [...SCENARIOS]).flatMap((s) => s.split(','));
  for (const name of scenarios) if (!(SCENARIOS as readonly string[]).includes(name)) fail(`unknown scenario ${name}`);
  const quick = values.quick;
  const rounds = values.rounds === undefined ? (quick ? 1 : 3) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) fail(`--rounds must be an integer from 1 to 20`);
  const big = values.big;
  return {
    quick,
    big,
    rounds,
    scenarios: SCENARIOS.filter((s) => scenarios.includes(s)),
    out: values.out,
    unary: {
      connections: 32,
      rates: [500, 1000],
      closedMs: quick ? 1500 : 3000,
      openMs: quick ? 1500 : 3000,
      warmupMs: quick ? 300 : 700,
      maxNewTokens: 16,
    },
    streaming: { ks: big ? [100, 1000, 10_000] : [100, 1000], tokens: quick ? 10 : 20, ttftMs: 20, tokenMs: 50, muxSockets: 10 },
    // No 10,000 with --big: an OpenAI-compatible model's in-flight cap is the gateway's pool of 1,024 connections to it.
    chat: { ks: [100, 1000], tokens: quick ? 10 : 20, ttftMs: 20, tokenMs: 50 },
    tools: { streams: quick ? 100 : 200, tokens: quick ? 20 : 40, ttftMs: 20, tokenMs: 20 },
    cancellation: { perMode: quick ? 30 : 100, concurrency: 10, afterTokens: 2 },
    resume: { streams: quick ? 3 : 10, tokens: 2000, resumes: quick ? 20 : 100 },
    routing: {
      replicas: 4,
      durationMs: quick ? 30_000 : 60_000,
      warmupMs: quick ? 10_000 : 15_000,
      conversationsPerSecond: 1.5,
      turns: 6,
      systemPrompts: 4,
      systemChars: 3_000,
      questionChars: 400,
      answerChars: 1_200,
      thinkMs: 2_000,
      maxNewTokens: 12,
      maxBatchSize: 32,
      prefillMsPerToken: 0.4,
      prefixCacheBlocks: 1_500,
      ttftMs: 10,
      tokenMs: 40,
    },
    growth: {
      streams: 20,
      tokenMs: 5,
      promptBytes: [10, 10_000, 100_000],
      promptTokens: 50,
      tokenCounts: quick ? [10, 100, 500] : [10, 100, 1000],
      streamCounts: big ? [100, 1000, 10_000] : [100, 1000],
      streamTokens: 10,
      rate: 4000,
    },
  };
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}
