// What resumability costs: the gateway's time per relayed token for a stream
// that is not resumable, a resumable one (its events kept in the process),
// and a resumable one with REDIS_URL (its events also written to Redis), from
// a zero-latency simulator so that the gateway's own work is what is timed;
// and the time from a resume request to its first replayed event. One client
// in this process, GraphQL over SSE, streams one after another.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startGateway, startSimulator, freePort, MODEL_ID, type Running } from '../lib/stack.ts';
import { median, percentiles } from '../lib/stats.ts';
import { markdownTable, ms, num, times } from '../lib/table.ts';
import type { ScenarioOutcome, Shared } from './types.ts';

const STREAM = 'subscription ($input: GenerateInput!) { generateStream(input: $input) { generationId index token { text } } }';
const RESUME = 'subscription ($id: ID!) { resumeGenerateStream(generationId: $id, afterIndex: 0) { index } }';

/** Reads a GraphQL-over-SSE response until `enough` says stop (after a `next` event) or it ends; the events seen. */
async function sse(url: string, query: string, variables: unknown, enough: (events: number, data: string) => boolean = () => false): Promise<{ events: number; first: string }> {
  const controller = new AbortController();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  const decoder = new TextDecoder();
  let buffer = '';
  let events = 0;
  let first = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (!block.startsWith('event: next')) continue;
        events += 1;
        const data = block.slice(block.indexOf('data: ') + 6);
        if (events === 1) first = data;
        if (enough(events, data)) {
          controller.abort();
          return { events, first };
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { events, first };
}

async function startRedis(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await Promise.race([once(child, 'spawn'), once(child, 'error').then(([error]) => Promise.reject(error as Error))]);
  } catch {
    return undefined;
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** µs per token over `streams` streams of `tokens` tokens, one after another. */
async function perToken(url: string, resumable: boolean, streams: number, tokens: number): Promise<number> {
  const input = { modelId: MODEL_ID, prompt: 'Hi', maxNewTokens: tokens, seed: 1, resumable };
  await sse(url, STREAM, { input }); // warm
  const started = performance.now();
  for (let i = 0; i < streams; i++) await sse(url, STREAM, { input });
  return ((performance.now() - started) * 1000) / (streams * tokens);
}

export async function runResume(shared: Shared): Promise<ScenarioOutcome> {
  const { profile, log } = shared;
  const r = profile.resume;
  const sim = await startSimulator('simulator (resume)', { timeToFirstTokenMs: 0, timePerTokenMs: 0, maxTotalTokens: 64_000 });
  const redis = await startRedis();
  const stops: (() => Promise<void>)[] = [() => sim.stop(), ...(redis ? [() => redis.stop()] : [])];
  const rounds: Record<string, number>[] = [];
  const resumeMs: number[] = [];
  try {
    const local: Running = await startGateway(sim.url);
    stops.push(() => local.stop());
    const shared: Running | undefined = redis ? await startGateway(sim.url, 'tgi', { REDIS_URL: redis.url }) : undefined;
    if (shared) stops.push(() => shared.stop());
    for (let round = 1; round <= profile.rounds; round++) {
      log(`resume: round ${round}/${profile.rounds}, ${r.streams} streams of ${r.tokens} tokens each way`);
      rounds.push({
        plain: await perToken(local.url, false, r.streams, r.tokens),
        resumable: await perToken(local.url, true, r.streams, r.tokens),
        ...(shared ? { resumableRedis: await perToken(shared.url, true, r.streams, r.tokens) } : {}),
      });
    }
    log(`resume: ${r.resumes} resumes timed to their first replayed event`);
    for (let i = 0; i < r.resumes; i++) {
      const { first } = await sse(local.url, STREAM, { input: { modelId: MODEL_ID, prompt: 'Hi', maxNewTokens: 50, seed: i, resumable: true } }, () => true);
      const id = (JSON.parse(first) as { data: { generateStream: { generationId: string } } }).data.generateStream.generationId;
      const started = performance.now();
      await sse(local.url, RESUME, { id }, () => true);
      resumeMs.push(performance.now() - started);
    }
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
  const med = (key: string) => median(rounds.map((round) => round[key] ?? NaN));
  const figures = { plain: med('plain'), resumable: med('resumable'), resumableRedis: med('resumableRedis'), resumeToFirstEvent: percentiles(resumeMs) };
  const rows = [
    ['not resumable', num(figures.plain, 2), times(1)],
    ['resumable', num(figures.resumable, 2), times(figures.resumable / figures.plain)],
    ['resumable, REDIS_URL', redis ? num(figures.resumableRedis, 2) : 'no redis-server', redis ? times(figures.resumableRedis / figures.plain) : '—'],
  ];
  const table = `### resume: gateway time per relayed token, µs (GraphQL over SSE, zero-latency simulator, median of ${rounds.length} rounds)\n\n` +
    markdownTable(['stream', 'µs per token', '× not resumable'], rows) +
    `\n\nResume request to its first replayed event: p50 ${ms(figures.resumeToFirstEvent.p50)} ms, p90 ${ms(figures.resumeToFirstEvent.p90)} ms, p99 ${ms(figures.resumeToFirstEvent.p99)} ms (${num(figures.resumeToFirstEvent.count)} resumes).`;
  return { name: 'resume', tables: [table], figures, targets: [], failures: [] };
}
