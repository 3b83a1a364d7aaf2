// What every scenario hands back to bench/run.ts: its tables (printed as they
// come), its figures for the JSON file, the targets it decides, and the checks
// that failed (a text mismatch, a lost stream: the run then exits 1).
import type { Profile } from '../lib/options.ts';
import type { Running } from '../lib/stack.ts';

export interface Target {
  name: string;
  /** The figure measured, in `unit`. */
  value: number;
  unit: string;
  /** The rule, as printed ("≥ 0.85× floor"). */
  rule: string;
  /** undefined: not measured in this run (say why in `note`). */
  pass: boolean | undefined;
  note?: string;
}

export interface ScenarioOutcome {
  name: string;
  tables: string[];
  figures: unknown;
  targets: Target[];
  failures: string[];
}

export interface Shared {
  profile: Profile;
  /** Zero latency: the unary runs, and the expected texts of every stream. */
  instantSim: Running;
  /** Progress lines go to stderr, tables to stdout. */
  log(message: string): void;
}
