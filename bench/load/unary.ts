// Unary load against one path, in a process of its own.
// - closed loop: N connections, each sending its next request when the last one
//   is answered; gives the most requests per second the path sustains.
// - open loop: requests scheduled by the clock at a fixed rate whatever the
//   answers do, latency measured from each request's intended send time, so a
//   stall shows in the latency of every request it delayed (no coordinated omission).
// Both are bounded: a warm-up, a measured window, then at most GRACE_MS for the
// requests still out (they count as failed, at infinite latency).
import { cpuSeconds } from '../lib/proc-stat.ts';
import { percentiles, type Percentiles } from '../lib/stats.ts';
import { runJob } from './child.ts';
import { Connection, Pool, requestBytes, type Answer } from './http1.ts';

export interface UnaryJob {
  port: number;
  path: string;
  body: string;
  /** Every answer must be a 200 whose body contains this (the expected text, JSON-quoted). */
  expect: string;
  mode: 'closed' | 'open';
  connections: number;
  /** Open loop only: requests per second. */
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** The process whose CPU time is read over the measured window. */
  pid: number | undefined;
}

export interface UnaryResult {
  completed: number;
  failed: number;
  firstFailure: string | undefined;
  requestsPerSecond: number;
  /** Milliseconds; failed requests count as infinite. */
  latency: Percentiles;
  cpuSeconds: number;
  cpuMicrosPerRequest: number;
}

const GRACE_MS = 5000;
const OPEN_LOOP_MAX_CONNECTIONS = 512;

runJob<UnaryJob, UnaryResult>(async (job) => {
  const bytes = requestBytes(job.port, job.path, job.body);
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  const start = performance.now();
  const measureFrom = start + job.warmupMs;
  const measureTo = measureFrom + job.durationMs;
  let cpuAtStart = NaN;
  let cpuAtEnd = NaN;
  const readCpu = () => (job.pid === undefined ? NaN : cpuSeconds(job.pid));
  const cpuTimers = [
    setTimeout(() => (cpuAtStart = readCpu()), job.warmupMs),
    setTimeout(() => (cpuAtEnd = readCpu()), job.warmupMs + job.durationMs),
  ];

  /** Records an answer that arrived inside the measured window. */
  const settle = (sentAt: number, answer: Answer | Error) => {
    const now = performance.now();
    // Closed loop: answers inside the window (its rate). Open loop: every request sent inside it (its latency).
    if (now < measureFrom || sentAt >= measureTo || (job.mode === 'closed' && now >= measureTo)) return;
    const ok = !(answer instanceof Error) && answer.status === 200 && answer.body.includes(job.expect);
    if (ok) latencies.push(now - sentAt);
    else {
      failed += 1;
      latencies.push(Infinity);
      firstFailure ??= answer instanceof Error ? answer.message : `HTTP ${answer.status}: ${answer.body.slice(0, 300)}`;
    }
  };

  if (job.mode === 'closed') {
    const worker = async () => {
      let connection = new Connection(job.port);
      while (performance.now() < measureTo) {
        const sentAt = performance.now();
        const answer = await connection.request(bytes).catch((error: Error) => error);
        settle(sentAt, answer);
        if (answer instanceof Error) connection = new Connection(job.port);
      }
      connection.close();
    };
    await Promise.all(Array.from({ length: job.connections }, worker));
  } else {
    const pool = new Pool(job.port, OPEN_LOOP_MAX_CONNECTIONS);
    const total = Math.floor((job.rate * (job.warmupMs + job.durationMs)) / 1000);
    const intended = (i: number) => start + (i * 1000) / job.rate;
    const outstanding = new Set<Promise<void>>();
    await new Promise<void>((resolve) => {
      let next = 0;
      const tick = () => {
        const now = performance.now();
        for (; next < total && intended(next) <= now; next++) {
          const sentAt = intended(next);
          const request = pool.request(bytes).then((a) => settle(sentAt, a), (e: Error) => settle(sentAt, e));
          outstanding.add(request);
          void request.finally(() => outstanding.delete(request));
        }
        if (next < total) setTimeout(tick, Math.max(0, intended(next) - performance.now()));
        else resolve();
      };
      tick();
    });
    const grace = new Promise((resolve) => setTimeout(resolve, GRACE_MS).unref());
    await Promise.race([Promise.all(outstanding), grace]);
    // Still out after the grace period: lost, at infinite latency.
    for (let i = 0; i < outstanding.size; i++) latencies.push(Infinity);
    failed += outstanding.size;
    if (outstanding.size > 0) firstFailure ??= `${outstanding.size} requests unanswered after ${GRACE_MS} ms`;
    pool.close();
  }
  for (const timer of cpuTimers) clearTimeout(timer);
  if (Number.isNaN(cpuAtEnd)) cpuAtEnd = readCpu();
  const completed = latencies.length - failed;
  const cpu = cpuAtEnd - cpuAtStart;
  return {
    completed,
    failed,
    firstFailure,
    requestsPerSecond: completed / (job.durationMs / 1000),
    latency: percentiles(latencies),
    cpuSeconds: cpu,
    cpuMicrosPerRequest: completed > 0 ? (cpu / completed) * 1e6 : NaN,
  };
});
