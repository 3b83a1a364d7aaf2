// Soak benchmark: a closed-loop load of token streams over graphql-ws and SSE
// against a gateway with three simulated TGI replicas, with faults injected
// along the way. It passes when, after the load, nothing is left running
// upstream or in the gateway and no token was produced for a client already gone.
//
//   node bench/soak.ts [--seconds 120] [--concurrency 200]
//
// Everything runs in this process on 127.0.0.1 and stops by itself.
import { setTimeout as sleep } from 'node:timers/promises';
import { Chaos } from './soak/chaos.ts';
import { startLoad, type Load } from './soak/load.ts';
import { MemorySampler } from './soak/memory.ts';
import { parseOptions } from './soak/options.ts';
import { buildSummary, printReport } from './soak/report.ts';
import { settle, startStack, upstreamTotals, type Stack } from './soak/stack.ts';
import { Tally } from './soak/tally.ts';

const SETTLE_MS = 5000;
/** Beyond the load itself: streams ending (≤ 15 s each), settling, shutdown. */
const SHUTDOWN_BUDGET_MS = 60_000;
const PROGRESS_EVERY_MS = 5000;

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  // A bench that hangs is a finding too, but it must not run forever.
  const watchdog = setTimeout(() => {
    console.error('soak: did not finish in time; exiting');
    process.exit(2);
  }, options.seconds * 1000 + SHUTDOWN_BUDGET_MS);
  watchdog.unref();

  const stack = await startStack();
  const tally = new Tally();
  const memory = new MemorySampler();
  const chaos = new Chaos(stack.sims);
  console.error(`soak: gateway ${stack.url}, replicas ${stack.sims.map((s) => s.url).join(' ')}`);

  const loadStarted = performance.now();
  const load = startLoad(stack.url, options.concurrency, tally);
  chaos.start();
  const progress = reportProgress(stack, load, tally, loadStarted);
  await sleep(options.warmupSeconds * 1000);
  memory.markStart();
  await sleep((options.seconds - options.warmupSeconds) * 1000);

  // Faults first, so the last streams end against healthy replicas.
  await chaos.stop();
  await load.stop();
  const elapsedSeconds = (performance.now() - loadStarted) / 1000;
  clearInterval(progress);
  const { leaks, waitedMs } = await settle(stack, SETTLE_MS);
  memory.markEnd();
  const upstream = upstreamTotals(stack);
  await stack.close();

  const summary = buildSummary({
    configuredSeconds: options.seconds,
    concurrency: options.concurrency,
    warmupSeconds: options.warmupSeconds,
    elapsedSeconds,
    tally,
    faults: chaos.injected,
    upstream,
    leaks,
    settledMs: waitedMs,
    memory: { start: memory.start ?? memory.max, end: memory.end ?? memory.max, max: memory.max },
  });
  printReport(summary, options.warmupSeconds);
  return summary.ok ? 0 : 1;
}

/** One line to stderr every few seconds, so a long soak shows it is alive. */
function reportProgress(stack: Stack, load: Load, tally: Tally, since: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    const seconds = Math.round((performance.now() - since) / 1000);
    const rssMB = Math.round(process.memoryUsage().rss / 2 ** 20);
    const upstreamActive = stack.sims.reduce((n, s) => n + s.stats().activeStreams, 0);
    console.error(
      `[${String(seconds).padStart(4)} s] streams ${tally.started} (running ${load.running}, upstream ${upstreamActive}), ` +
        `completed ${tally.completed}, client-ended ${tally.clientEndedTotal}, errors ${tally.errorsTotal}, ` +
        `transport ${tally.transportTotal}, rss ${rssMB} MB`,
    );
  }, PROGRESS_EVERY_MS);
  timer.unref();
  return timer;
}

process.exitCode = await main();
