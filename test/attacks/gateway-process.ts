// The gateway as its own process, as an attacker meets it: a crash is an exit,
// a blocked event loop is a late /healthz, and memory is the process's RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { connectInspector, FREED_MEMORY_RETURNED, INSPECTABLE } from '../hostile/inspector.ts';
import { allowed, slowestOf } from '../support/timing.ts';

/** What --inspect itself writes to stderr. */
const INSPECTOR_LINE = /^(Debugger listening on |For help, see: |Debugger attached\.|Waiting for the debugger to disconnect)/;

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote, stdout and stderr. */
  log(): string;
  /** What the process wrote to stderr alone (the inspector's own lines left out). */
  stderr(): string;
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  /** RSS after a full garbage collection (through the inspector): what the process keeps. */
  rssAfterGc(): Promise<number>;
  /** Time /healthz took to answer 200, in ms (Infinity when it did not within `limitMs`). */
  healthz(limitMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** Starts `src/main.ts` with the built-in simulator (fast timings) and the given environment. */
export async function startGatewayProcess(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TGI_')));
  const child = spawn(process.execPath, [main], {
    // An empty directory, so that no .env is read.
    cwd: mkdtempSync(join(tmpdir(), 'gateway-')),
    // Inspectable, and with glibc giving freed memory back, so that RSS can be read for what is kept.
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', SIMULATOR_TTFT_MS: '1', SIMULATOR_TOKEN_MS: '1', NODE_OPTIONS: INSPECTABLE, ...FREED_MEMORY_RETURNED, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const errors: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    output.push(String(chunk));
    errors.push(String(chunk));
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${output.join('')}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(String(chunk));
      const listening = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(output.join(''));
      if (listening) resolve(listening[1]!);
    });
  });
  let inspector: Awaited<ReturnType<typeof connectInspector>> | undefined;
  const gateway: GatewayProcess = {
    url,
    child,
    log: () => output.join(''),
    stderr: () => errors.join('').split('\n').filter((line) => line !== '' && !INSPECTOR_LINE.test(line)).join('\n'),
    rss: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
    },
    async rssAfterGc() {
      inspector ??= await connectInspector(gateway);
      return (await inspector.collect()).rss;
    },
    async healthz(limitMs = 1000) {
      const started = performance.now();
      // Asked twice at most: a kept-alive connection the server closes just as it is reused fails
      // the first request without the gateway failing to answer.
      for (let attempt = 0; attempt < 2; attempt++) {
        const left = Math.ceil(limitMs - (performance.now() - started));
        if (left <= 0) break;
        try {
          const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(left) });
          await res.arrayBuffer();
          return res.status === 200 ? performance.now() - started : Number.POSITIVE_INFINITY;
        } catch (error) {
          if ((error as Error).name === 'TimeoutError') break;
        }
      }
      return Number.POSITIVE_INFINITY;
    },
    async stop() {
      inspector?.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
  return gateway;
}

/** A gateway process serving model `sim` from a simulator in this process, whose counters the test reads; stop() ends both. */
export async function startGatewayBeside(env: Record<string, string> = {}): Promise<GatewayProcess & { simulator: Simulator }> {
  const simulator = await startSimulator({ timeToFirstTokenMs: 1, timePerTokenMs: 1 });
  const gateway = await startGatewayProcess({ TGI_SIM_ENDPOINT: simulator.url, ...env });
  return {
    ...gateway,
    simulator,
    async stop() {
      await gateway.stop();
      await simulator.close();
    },
  };
}

/** How /healthz answered while an attack ran, and what the same run allows it. */
export interface HealthzWatch {
  /** The slowest answer before the attack, the gateway idle: this machine, as busy as it is now. */
  baseline: number;
  /** The slowest answer during the attack (Infinity if one did not come within HEALTHZ_CEILING_MS). */
  slowest: number;
  /** What the baseline allows (see support/timing.ts), with ATTACK_ALLOWANCE_MS: a blocked event loop takes longer. */
  allowed: number;
}

/**
 * What /healthz may wait, beyond the idle answers' allowance, behind the attack's own requests: they
 * are legitimate work (parsing a 1 MB body takes some hundreds of ms on a busy machine). A blocked
 * event loop, the fault this watch is for, holds /healthz for far longer: a backtracking regex on a
 * 200 KB value runs for minutes.
 */
export const ATTACK_ALLOWANCE_MS = 3_000;

/** Past this, /healthz is taken for not answering at all (Infinity). */
export const HEALTHZ_CEILING_MS = 30_000;

/** The slowest of 20 /healthz answers from the idle gateway, taken now. */
export async function healthzBaseline(gateway: GatewayProcess): Promise<number> {
  return slowestOf(20, async () => {
    if ((await gateway.healthz(HEALTHZ_CEILING_MS)) === Number.POSITIVE_INFINITY) throw new Error('/healthz did not answer 200 before the attack');
  });
}

/**
 * Takes the /healthz baseline, then runs `attack` while polling /healthz every 50 ms. The gateway
 * is judged against itself in the same run, not against a wall-clock budget: an attack that blocks
 * the event loop (a backtracking regex, a megabyte parsed at once) shows as answers far slower than
 * the idle ones, whatever the machine's load.
 */
export async function slowestHealthzDuring(gateway: GatewayProcess, attack: () => Promise<void>): Promise<HealthzWatch> {
  const baseline = await healthzBaseline(gateway);
  let slowest = 0;
  let running = true;
  const poller = (async () => {
    while (running) {
      // Each answer timed to the end, however late, so that a failure says by how much.
      slowest = Math.max(slowest, await gateway.healthz(HEALTHZ_CEILING_MS));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    await attack();
  } finally {
    running = false;
    await poller;
  }
  return { baseline, slowest, allowed: allowed(baseline, ATTACK_ALLOWANCE_MS) };
}

/** Whether the process is still running. */
export const alive = (gateway: GatewayProcess) => gateway.child.exitCode === null && gateway.child.signalCode === null;
