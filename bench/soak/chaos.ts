// Fault injection: every few seconds one replica misbehaves for a few seconds,
// then recovers. One fault at a time, so the pool always has healthy replicas
// and every failure seen by clients is one the gateway could not hide.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Simulator, SimulatorFaults } from '../../src/simulator/index.ts';
import { pick, randomInt } from './random.ts';

interface FaultKind {
  name: string;
  make(): Partial<SimulatorFaults>;
}

const FAULTS: readonly FaultKind[] = [
  { name: 'http500', make: () => ({ httpStatus: 500 }) },
  { name: 'http503', make: () => ({ httpStatus: 503 }) },
  { name: 'overloaded', make: () => ({ overloaded: true }) },
  { name: 'dropAfterTokens', make: () => ({ dropAfterTokens: randomInt(0, 20) }) },
  // Exercises the gateway's idle timeout (2 s here) on streams that go silent.
  { name: 'stallAfterTokens', make: () => ({ stallAfterTokens: randomInt(0, 20) }) },
  { name: 'errorAfterTokens', make: () => ({ errorAfterTokens: randomInt(0, 20) }) },
  { name: 'unhealthy', make: () => ({ unhealthy: true }) },
];

const QUIET_MS = { min: 1000, max: 3000 };
const FAULT_MS = { min: 1000, max: 4000 };

export class Chaos {
  readonly injected = new Map<string, number>();
  readonly #sims: readonly Simulator[];
  readonly #stop = new AbortController();
  #loop: Promise<void> = Promise.resolve();

  constructor(sims: readonly Simulator[]) {
    this.#sims = sims;
  }

  start(): void {
    this.#loop = this.#run();
  }

  /** Ends the current fault at once and leaves every replica healthy. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { signal } = this.#stop;
    try {
      while (!signal.aborted) {
        await sleep(randomInt(QUIET_MS.min, QUIET_MS.max), undefined, { signal });
        const sim = pick(this.#sims);
        const fault = pick(FAULTS);
        sim.setFaults(fault.make());
        this.injected.set(fault.name, (this.injected.get(fault.name) ?? 0) + 1);
        try {
          await sleep(randomInt(FAULT_MS.min, FAULT_MS.max), undefined, { signal });
        } finally {
          sim.clearFaults();
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }
}
