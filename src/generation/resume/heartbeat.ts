// Proof that a gateway process is alive, for readers of its generations in
// other processes: one Redis key per process, set with a short expiry and
// set again on an interval. One key per process rather than a lease per
// generation: it costs one write a second whatever the process runs (nothing
// per token, nothing per generation), and each generation's hash names the
// process running it. A reader that finds a running generation whose
// process key is gone knows it will never end, and says so at once instead of
// waiting for the copy to expire.
//
// The expiry is five times the interval: a busy event loop delays the timer,
// and a slow Redis delays the write, so a live process is judged dead only
// if it stays silent for seconds on end.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** How often the process says it is alive. */
export const HEARTBEAT_EVERY_MS = 1_000;
/** How long it counts as alive after saying so: a dead process is known as dead within this. */
export const HEARTBEAT_TTL_MS = 5 * HEARTBEAT_EVERY_MS;

const aliveKey = (process: string) => `gateway:process:{${process}}:alive`;

export class Heartbeat {
  /** This process's id, written in the hash of each generation it runs. */
  readonly process = randomUUID();
  readonly #redis: Redis;
  readonly #timer: NodeJS.Timeout;

  constructor(redis: Redis) {
    this.#redis = redis;
    this.#beat();
    this.#timer = setInterval(() => this.#beat(), HEARTBEAT_EVERY_MS);
    // Never what keeps the process up.
    this.#timer.unref();
  }

  /** Whether `process` said it was alive within the last HEARTBEAT_TTL_MS. */
  async alive(process: string): Promise<boolean> {
    return (await this.#redis.exists(aliveKey(process))) === 1;
  }

  /** Stops beating, and says at once that this process is gone (after what it owed Redis was written). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#redis.del(aliveKey(this.process)).catch(() => undefined);
  }

  #beat(): void {
    // A missed beat is harmless: the next one is due long before the key runs out.
    this.#redis.set(aliveKey(this.process), '1', 'PX', HEARTBEAT_TTL_MS).catch(() => undefined);
  }
}
