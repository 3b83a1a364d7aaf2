// Every process the bench starts goes through here, so that all of them are
// stopped at the end, on an error, on Ctrl-C, and (through the reaper) even if
// the bench is killed outright. Children are stopped by their own pid only.
import { fork, spawn, type ChildProcess } from 'node:child_process';

export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  /** Resolves with the exit code (or the signal) once the process is gone. */
  exited: Promise<string>;
  /** The last few KB of its stdout and stderr, for error messages. */
  output(): string;
}

const OUTPUT_TAIL = 16 * 1024;
const live = new Set<Child>();
let reaper: ChildProcess | undefined;

function track(name: string, proc: ChildProcess): Child {
  if (proc.pid === undefined) throw new Error(`${name}: could not start`);
  let tail = '';
  const keep = (data: Buffer) => {
    tail = (tail + data.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const child: Child = {
    name,
    pid: proc.pid,
    proc,
    exited: new Promise((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? String(code)))),
    output: () => tail,
  };
  live.add(child);
  reaper?.send({ watch: child.pid });
  void child.exited.then(() => {
    live.delete(child);
    if (reaper?.connected) reaper.send({ forget: child.pid });
  });
  return child;
}

/** A bench file of ours, with an IPC channel (it exits when the channel closes). */
export function forkBench(name: string, file: URL, args: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Child {
  // Structured clone over IPC: NaN and Infinity (a figure that does not apply, a lost request) survive it, JSON would make them null.
  const proc = fork(file, [...args], { execPath: process.execPath, execArgv: [], env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
  return track(name, proc);
}

/** Any Node program, without IPC (the gateway: exactly `node src/main.ts`). */
export function spawnNode(name: string, file: string, env: NodeJS.ProcessEnv, cwd: string): Child {
  return track(name, spawn(process.execPath, [file], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** A program of the system's (redis-server), tracked like the others. */
export function spawnProgram(name: string, command: string, args: readonly string[]): Child {
  return track(name, spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** The first IPC message that `accept` takes; rejects when the child exits first or time runs out. */
export function nextMessage<T>(child: Child, accept: (message: unknown) => T | undefined, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = (settle: () => void) => {
      clearTimeout(timer);
      child.proc.off('message', onMessage);
      child.proc.off('exit', onExit);
      settle();
    };
    const onMessage = (message: unknown) => {
      const value = accept(message);
      if (value !== undefined) done(() => resolve(value));
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(() => reject(new Error(`${child.name} exited (${signal ?? code}) before answering:\n${child.output()}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`${child.name}: no answer within ${timeoutMs} ms:\n${child.output()}`))), timeoutMs);
    child.proc.on('message', onMessage);
    child.proc.once('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stop(child: Child, graceMs = 3000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((child) => stop(child)));
}

/** Starts the reaper and the handlers that stop every child however the bench ends. */
export function installCleanup(): void {
  reaper = fork(new URL('../procs/reaper.ts', import.meta.url), [], { execPath: process.execPath, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  reaper.unref();
  reaper.channel?.unref();
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    console.error(`\nbench: ${signal}: stopping every child process`);
    void stopAll().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => onSignal('SIGINT', 130));
  process.once('SIGTERM', () => onSignal('SIGTERM', 143));
  // Last resort, synchronous: whatever is still alive when this process exits.
  process.on('exit', () => {
    for (const child of live) child.proc.kill('SIGKILL');
    live.clear();
  });
}

/** Lets the reaper go once every child is stopped (it exits when its channel closes). */
export function releaseReaper(): void {
  if (reaper?.connected) reaper.disconnect();
}
