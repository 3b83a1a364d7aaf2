// Command-line flags of the soak benchmark. Only two knobs: everything else is
// fixed so that two runs of the same length are comparable.

export interface SoakOptions {
  /** Length of the load phase, warm-up included. */
  seconds: number;
  /** Virtual users, each running one stream at a time (closed loop). */
  concurrency: number;
  /** First part of the load phase after which memory is measured as the baseline. */
  warmupSeconds: number;
}

const USAGE = 'usage: node bench/soak.ts [--seconds N (default 120)] [--concurrency N (default 200)]';

export function parseOptions(argv: readonly string[]): SoakOptions {
  let seconds = 120;
  let concurrency = 200;
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const value = Number(argv[i + 1]);
    i += 1;
    if (flag === '--seconds' && Number.isFinite(value) && value >= 2) seconds = value;
    else if (flag === '--concurrency' && Number.isInteger(value) && value >= 1) concurrency = value;
    else {
      console.error(`bad flag: ${String(flag)} ${String(argv[i])}\n${USAGE}`);
      process.exit(2);
    }
  }
  // V8 keeps growing its heap (and so RSS) for about the first 30 s of load before it levels
  // off: a baseline taken earlier reports that growth as drift.
  const warmupSeconds = Math.min(30, Math.max(1, seconds / 4));
  return { seconds, concurrency, warmupSeconds };
}
