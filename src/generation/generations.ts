// The generations under way: what the gauges count, and what shutdown lets
// finish within the drain time, then cuts. Draining also shuts the door to new
// ones (admission.ts asks).
import { shuttingDown } from '../errors.ts';
import { Generation, type GenerationParts } from './generation.ts';
import type { GenerationObserver } from './report.ts';

/** After the drain deadline, how long cut generations get to release what they hold. */
const CUT_GRACE_MS = 1000;

export class Generations {
  readonly #active = new Set<Generation>();
  readonly #observer: GenerationObserver;
  #draining = false;
  #idle: (() => void) | undefined;

  constructor(observer: GenerationObserver) {
    this.#observer = observer;
  }

  get active(): ReadonlySet<Generation> {
    return this.#active;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Admitted: the model's slot and the lease are taken, and from here the generation owns them. */
  begin(parts: Omit<GenerationParts, 'onEnd'>): Generation {
    const generation = new Generation({ ...parts, onEnd: this.#ended });
    this.#active.add(generation);
    return generation;
  }

  /**
   * Refuses new generations at once, lets those under way finish within
   * `drainMs`, then ends the rest with GATEWAY_SHUTTING_DOWN (aborting upstream).
   */
  async drain(drainMs: number): Promise<void> {
    this.#draining = true;
    if (this.#active.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#idle = resolve;
      timer = setTimeout(() => {
        for (const generation of this.#active) {
          generation.deadlines.abort(shuttingDown('the gateway is shutting down; the generation was cut'));
        }
        // Each cut generation releases itself on abort; this bound is for a bug, not the plan.
        timer = setTimeout(resolve, CUT_GRACE_MS);
      }, drainMs);
    });
    clearTimeout(timer);
  }

  readonly #ended: GenerationParts['onEnd'] = (generation, report) => {
    this.#active.delete(generation);
    this.#observer.finished(report);
    if (this.#active.size === 0) this.#idle?.();
  };
}
