// The hostile-input suite's harness: a production gateway process in front of
// an in-test TGI simulator, watched (its /healthz, its memory, the generation
// requests the simulator sees) while categories of inputs are sent and judged
// by the rules of checks.ts.
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { expect } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { alive, ATTACK_ALLOWANCE_MS, HEALTHZ_CEILING_MS, healthzBaseline, startGatewayProcess, type GatewayProcess } from '../attacks/gateway-process.ts';
import { allowed } from '../support/timing.ts';
import { ANSWER_MS, type Answer, type Target } from './checks.ts';
import { Raw } from './generate-input.ts';
import { connectInspector, FREED_MEMORY_RETURNED, INSPECTABLE, type Memory } from './inspector.ts';

export { ANSWER_MS, checkGraphQL, checkRest, errorProblems, leaks, type Answer, type Target } from './checks.ts';

/** One kind of hostile input: how to make one, and how to send it and judge the answer. */
export interface Category<T> {
  name: string;
  runs: number;
  input: fc.Arbitrary<T>;
  /** Table-driven inputs, each sent before the random ones (and in the warm-up). */
  examples?: readonly T[];
  /** Sends one input; returns what is wrong with the answer (nothing, for a good answer). */
  probe(target: Target, input: T): Promise<string[]>;
}

/** Requests the simulator received that could start a generation (every POST is one). */
export function generationRequests(simulator: Simulator): number {
  const routes = simulator.stats().requestsByRoute;
  return Object.entries(routes).reduce((sum, [route, n]) => (route.startsWith('POST ') ? sum + n : sum), 0);
}

/**
 * glibc keeps freed memory for reuse, so one transient buffer (parsing a body nested 400,000 deep
 * takes some 30 MB for a moment) can move RSS up or down by 20 % between two rounds of the same
 * traffic. Big blocks mmapped and returned on free, RSS tracks what the gateway holds.
 */

/** Polls /healthz every 50 ms, posting how long each answer took (Infinity: none within `limit` ms, or not 200). */
const WATCH_HEALTHZ = `
const { parentPort, workerData: { url, limit } } = require('node:worker_threads');
(async () => {
  for (;;) {
    const started = performance.now();
    let ms = Infinity;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(limit) });
      await res.arrayBuffer();
      if (res.status === 200) ms = performance.now() - started;
    } catch {}
    parentPort.postMessage(ms);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
})();`;

/** Error and fatal lines the gateway logged since `from` (its own account of a 500). */
function loggedErrors(gateway: GatewayProcess, from: number): string[] {
  return gateway.log().slice(from).split('\n').filter((line) => /"level":(?:50|60)/.test(line)).slice(0, 2).map((line) => `gateway log: ${line.slice(0, 1200)}`);
}

/** The gateway (production) and its simulator for one test file, watched throughout. */
export async function startHostile(file: string, env: Record<string, string> = {}) {
  const simulator = await startSimulator({ timeToFirstTokenMs: 1, timePerTokenMs: 1 });
  const gateway = await startGatewayProcess({ NODE_ENV: 'production', TGI_SIM_ENDPOINT: simulator.url, NODE_OPTIONS: INSPECTABLE, ...FREED_MEMORY_RETURNED, ...env });
  const inspector = await connectInspector(gateway);
  const target: Target = { url: gateway.url, wsUrl: `${gateway.url.replace(/^http/, 'ws')}/graphql`, port: Number(new URL(gateway.url).port), gateway, simulator };
  const counts = new Map<string, number>();
  const started = performance.now();
  // What /healthz takes from the idle gateway on this machine, now: the watch below is judged against it.
  const idleHealthz = await healthzBaseline(gateway);
  const healthzAllowed = allowed(idleHealthz, ATTACK_ALLOWANCE_MS);
  let slowestHealthz = 0;
  let watching = true;
  /** What was being sent, for the watcher's account of a slow /healthz. */
  let sending = 'nothing';
  const slowHealthz: string[] = [];
  // In a worker, on its own event loop: the test's own synchronous work (building a 1 MB input)
  // must not read as a slow gateway.
  const watcher = new Worker(WATCH_HEALTHZ, { eval: true, workerData: { url: `${gateway.url}/healthz`, limit: HEALTHZ_CEILING_MS } });
  watcher.on('message', (ms: number) => {
    slowestHealthz = Math.max(slowestHealthz, ms);
    if (ms >= healthzAllowed / 2 && slowHealthz.length < 5) slowHealthz.push(`/healthz took ${ms === Infinity ? `over ${HEALTHZ_CEILING_MS}` : ms.toFixed(0)} ms while sending ${sending}`);
  });
  const stopWatching = async () => {
    if (!watching) return;
    watching = false;
    await watcher.terminate();
  };
  let before: Memory = { rss: 0, heapUsed: 0 };
  let warmUpInputs = 0;
  /** Unjudged during the warm-up, reported by the closing test. */
  const warmUpProblems: string[] = [];

  return {
    target,
    /** A round of the same traffic, answers unjudged: V8 and malloc grow to their working size first. */
    async warmUp(categories: ReadonlyArray<Category<unknown>>): Promise<void> {
      for (const category of categories) {
        for (const input of [...(category.examples ?? []), ...fc.sample(category.input, { numRuns: category.runs })]) {
          warmUpInputs++;
          sending = `${category.name} (warm-up): ${abbreviated(input).slice(0, 300)}`;
          const generationsBefore = generationRequests(simulator);
          const logged = gateway.log().length;
          const problems = await category.probe(target, input).catch((error: unknown) => [String(error)]);
          if (problems.length > 0) problems.push(...loggedErrors(gateway, logged));
          if (generationRequests(simulator) > generationsBefore) problems.push('the simulator received a generation request');
          if (problems.length > 0) warmUpProblems.push(`${category.name}: ${abbreviated(input)}\n${problems.join('\n')}`);
        }
      }
      before = await inspector.collect();
    },
    /** Every input of the category gets a good answer, reaches no model server and leaves the gateway up. */
    async check<T>(category: Category<T>): Promise<void> {
      const details = await fc.check(
        fc.asyncProperty(category.input, async (input) => {
          counts.set(category.name, (counts.get(category.name) ?? 0) + 1);
          sending = `${category.name}: ${abbreviated(input).slice(0, 300)}`;
          const generationsBefore = generationRequests(simulator);
          const logged = gateway.log().length;
          const problems = await category.probe(target, input);
          const generations = generationRequests(simulator) - generationsBefore;
          if (generations > 0) problems.push(`the simulator received ${generations} generation request(s)`);
          if (problems.length > 0) problems.push(...loggedErrors(gateway, logged));
          if (!alive(gateway)) problems.push(`the gateway exited: ${gateway.log().slice(-2000)}`);
          if (problems.length > 0) throw new Error(problems.join('\n'));
        }),
        { numRuns: category.runs + (category.examples?.length ?? 0), examples: (category.examples ?? []).map((e) => [e] as [T]) },
      );
      if (details.failed) {
        const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        throw new Error(`${category.name}: failed after ${details.numRuns} inputs (seed ${details.seed}, path "${details.counterexamplePath}", shrunk ${details.numShrinks} times)\n` +
          `input: ${abbreviated(details.counterexample?.[0])}\n${error}`);
      }
    },
    /** Stops the watch; prints one summary line; returns what the closing test asserts. */
    async finish() {
      await stopWatching();
      const after = await inspector.collect();
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
      console.log(
        `[hostile ${file}] ${total} inputs (${[...counts].map(([name, n]) => `${name}: ${n}`).join(', ')}); warm-up ${warmUpInputs}; ` +
          `after a full GC, RSS ${mb(before.rss)} MB -> ${mb(after.rss)} MB (${((after.rss / before.rss - 1) * 100).toFixed(1)} %), heap ${mb(before.heapUsed)} MB -> ${mb(after.heapUsed)} MB; ` +
          `slowest /healthz ${slowestHealthz.toFixed(0)} ms (idle ${idleHealthz.toFixed(0)} ms, allowed ${healthzAllowed.toFixed(0)} ms); generation requests ${generationRequests(simulator)}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      return { alive: alive(gateway), rssBefore: before.rss, rssAfter: after.rss, idleHealthz, healthzAllowed, slowestHealthz, slowHealthz, generations: generationRequests(simulator), warmUpProblems };
    },
    async stop(): Promise<void> {
      await stopWatching();
      inspector.close();
      await gateway.stop();
      await simulator.close();
    },
  };
}

export type Hostile = Awaited<ReturnType<typeof startHostile>>;

/**
 * The closing test of each file: up, responsive, flat, and no model server reached (the warm-up round included).
 * Responsive is judged against /healthz from the idle gateway in the same run (support/timing.ts), not a
 * wall-clock budget: a blocked event loop shows as answers far slower than the idle ones, a busy machine does not.
 */
export function expectSoundRun(run: Awaited<ReturnType<Hostile['finish']>>): void {
  expect.soft(run.alive, 'the gateway process is alive').toBe(true);
  expect.soft(run.slowestHealthz, `slowest /healthz (ms; idle ${run.idleHealthz.toFixed(0)} ms): ${run.slowHealthz.join('; ')}`).toBeLessThan(run.healthzAllowed);
  expect.soft(run.generations, 'generation requests the simulator received').toBe(0);
  expect.soft(run.rssAfter, `RSS after (before: ${run.rssBefore})`).toBeLessThan(run.rssBefore * 1.2);
  expect.soft(run.warmUpProblems.slice(0, 4), `${run.warmUpProblems.length} bad answers in the warm-up round`).toEqual([]);
}

/** A counterexample as JSON, long strings cut (a 1 MB document reads as its start and its length). */
export function abbreviated(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'string' && v.length > 300) return `${v.slice(0, 200)}…(${v.length} chars)`;
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Raw) return `Raw(${v.text})`;
    return v;
  }) ?? String(value);
}

/** An HTTP request through fetch, bounded by ANSWER_MS (body included). */
export async function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<Answer> {
  try {
    const res = await fetch(url, { ...init, body: init.body as BodyInit | undefined, redirect: 'manual', signal: AbortSignal.timeout(ANSWER_MS) });
    return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return { status: timedOut ? 0 : -1, headers: {}, body: String(error) };
  }
}

/** GraphQL over HTTP POST of a JSON body written by the caller. */
export const postGraphQL = (target: Target, body: string, accept = 'application/json') =>
  request(`${target.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body });
