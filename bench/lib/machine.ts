// Where the figures come from: the machine, the Node version, the commit (and
// whether the tree had changes: others edit src/ while the bench runs).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import { openFilesLimit } from './proc-stat.ts';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  commit: string;
  /** Files changed against the commit when the run started (`git status --porcelain`). */
  changedFiles: string[];
  openFiles: { soft: number; hard: number };
  /** 1, 5 and 15 minute load averages at the start: other work on the machine shows here. */
  loadAverage: number[];
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', cwd: new URL('../..', import.meta.url) }).trim();
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const status = git(['status', '--porcelain']);
  return {
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    commit: git(['rev-parse', 'HEAD']),
    changedFiles: status === '' || status === 'unknown' ? [] : status.split('\n'),
    openFiles: openFilesLimit(),
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}
