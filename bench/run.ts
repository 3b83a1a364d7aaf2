// `npm run bench`: what the gateway costs against the thinnest Node proxy (the
// floor) and against no proxy at all (direct), on this machine, in one run.
//
//   node bench/run.ts [--quick] [--big] [--scenario unary|streaming|chat|tools|cancellation|growth|routing]... [--rounds N] [--out file.json]
//
// Every process under test and every load generator runs in its own process on
// 127.0.0.1; all of them are stopped at the end, on an error and on Ctrl-C.
// Tables go to stdout, progress to stderr, every figure to a JSON file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './lib/machine.ts';
import { parseProfile, type ScenarioName } from './lib/options.ts';
import { installCleanup, releaseReaper, stopAll } from './lib/procs.ts';
import { startSimulator } from './lib/stack.ts';
import { markdownTable, num, passFail } from './lib/table.ts';
import { runCancellation } from './scenarios/cancellation.ts';
import { runChat } from './scenarios/chat.ts';
import { runGrowth } from './scenarios/growth.ts';
import { runResume } from './scenarios/resume.ts';
import { runRouting } from './scenarios/routing.ts';
import { runStreaming } from './scenarios/streaming.ts';
import { runTools } from './scenarios/tools.ts';
import type { ScenarioOutcome, Shared } from './scenarios/types.ts';
import { runUnary } from './scenarios/unary.ts';

const SCENARIO_RUNNERS: Record<ScenarioName, (shared: Shared) => Promise<ScenarioOutcome>> = {
  unary: runUnary,
  streaming: runStreaming,
  chat: runChat,
  tools: runTools,
  cancellation: runCancellation,
  growth: runGrowth,
  resume: runResume,
  routing: runRouting,
};

async function main(): Promise<number> {
  const profile = parseProfile(process.argv.slice(2));
  installCleanup();
  // A bench that hangs is a finding too, but it must not run forever.
  const watchdogMs = (profile.big ? 60 : profile.quick ? 8 : 25) * 60_000 * Math.max(1, profile.rounds / 3);
  setTimeout(() => {
    console.error(`bench: did not finish within ${watchdogMs / 60_000} minutes: stopping`);
    void stopAll().finally(() => process.exit(2));
  }, watchdogMs).unref();

  const machine = describeMachine();
  const started = new Date();
  const log = (message: string) => console.error(`[${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4)} s] ${message}`);
  log(`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, commit ${machine.commit.slice(0, 12)}` +
    `${machine.changedFiles.length > 0 ? ` + ${machine.changedFiles.length} changed files` : ''}, load average ${machine.loadAverage.join(' ')}, ulimit -n ${machine.openFiles.soft}`);
  if (profile.big) {
    // A proxy holds two sockets per stream (client and TGI); graphql-ws multiplexed on 10 sockets, one.
    const { soft } = machine.openFiles;
    log(`--big: ulimit -n is ${soft}; 10,000 streams need ≥ 20,200 descriptors with a socket per stream (SSE, graphql-ws one each), ` +
      `≥ 10,210 multiplexed; runs that do not fit are skipped and say so (raise it with ulimit -n before the run). ` +
      `Memory: ${Math.round(freemem() / 2 ** 30)} GiB free; 10,000 streams take a few GiB across the processes.`);
  }
  const instantSim = await startSimulator('simulator (zero latency)', { timeToFirstTokenMs: 0, timePerTokenMs: 0 });
  const shared: Shared = { profile, instantSim, log };

  const outcomes: ScenarioOutcome[] = [];
  for (const name of profile.scenarios) {
    const outcome = await SCENARIO_RUNNERS[name](shared);
    outcomes.push(outcome);
    for (const table of outcome.tables) console.log(`\n${table}`);
    for (const failure of outcome.failures) console.log(`\n**FAILED** ${failure}`);
  }
  await instantSim.stop();

  const targets = outcomes.flatMap((o) => o.targets.map((t) => ({ scenario: o.name, ...t })));
  if (targets.length > 0) {
    console.log(`\n### targets\n\n${markdownTable(['target', 'measured', 'rule', 'result'], targets.map((t) =>
      [t.name, `${num(t.value, 2)} ${t.unit}${t.note ? ` (${t.note})` : ''}`, t.rule, passFail(t.pass)]))}`);
  }
  const failures = outcomes.flatMap((o) => o.failures);
  const out = profile.out ?? fileURLToPath(new URL(`results/${started.toISOString().slice(0, 10)}-${machine.commit.slice(0, 12)}.json`, import.meta.url));
  mkdirSync(dirname(out), { recursive: true });
  const { scenarios, quick, big, rounds } = profile;
  writeFileSync(out, `${JSON.stringify({
    startedAt: started.toISOString(),
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine,
    options: { scenarios, quick, big, rounds },
    profile,
    targets,
    failures,
    scenarios: Object.fromEntries(outcomes.map((o) => [o.name, o.figures])),
  }, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`);
  log(`results written to ${out}`);
  console.log(`\n${failures.length === 0 ? 'every check passed' : `${failures.length} check(s) FAILED`}; targets: ` +
    `${targets.filter((t) => t.pass === true).length} PASS, ${targets.filter((t) => t.pass === false).length} FAIL, ${targets.filter((t) => t.pass === undefined).length} not measured`);
  return failures.length === 0 ? 0 : 1;
}

let code = 2;
try {
  code = await main();
} catch (error) {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await stopAll();
  releaseReaper();
}
process.exit(code);
