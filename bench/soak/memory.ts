// Memory of this process (gateway, simulators and load generator together),
// sampled through the run. A leak shows as drift between two points taken in
// the same state: after warm-up and after the load has settled, each right
// after a full GC so that garbage not yet collected does not count.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MemoryPoint {
  rss: number;
  heapUsed: number;
}

// The script is run as plain `node bench/soak.ts`; this exposes gc() without a CLI flag.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export class MemorySampler {
  start: MemoryPoint | undefined;
  end: MemoryPoint | undefined;
  max: MemoryPoint = { rss: 0, heapUsed: 0 };
  readonly #timer: NodeJS.Timeout;

  constructor(everyMs = 500) {
    this.#timer = setInterval(() => this.#sample(), everyMs);
    this.#timer.unref();
  }

  markStart(): void {
    this.start = settledPoint();
  }

  markEnd(): void {
    clearInterval(this.#timer);
    this.end = settledPoint();
    this.#sample();
  }

  #sample(): void {
    const { rss, heapUsed } = process.memoryUsage();
    this.max = { rss: Math.max(this.max.rss, rss), heapUsed: Math.max(this.max.heapUsed, heapUsed) };
  }
}

function settledPoint(): MemoryPoint {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}
