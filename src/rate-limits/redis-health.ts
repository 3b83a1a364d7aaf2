// Whether the Redis store should ask Redis now, and the two log lines an
// operator needs: one warn when Redis goes away, one info when it is back
// (not one per failed command, nor per reconnect attempt).
import type { RateLimitsLogger } from './types.ts';

export interface RedisHealthOptions {
  logger: RateLimitsLogger;
  /** What the store does meanwhile, for the warn line. */
  meanwhile: string;
  /** After a failed command on a live connection (a slow Redis), admits skip Redis this long before trying again. */
  probeIntervalMs: number;
}

export class RedisHealth {
  readonly #options: RedisHealthOptions;
  // 'starting' until the first answer or failure, so the first connect logs nothing.
  #state: 'starting' | 'up' | 'down' = 'starting';
  #downSince = 0;
  #retryAt = 0;

  constructor(options: RedisHealthOptions) {
    this.#options = options;
  }

  /** `connected`: the client's socket is ready (without it ioredis would refuse at once anyway). */
  usable(connected: boolean): boolean {
    return connected && (this.#state !== 'down' || Date.now() >= this.#retryAt);
  }

  /** How long Redis has been away; 0 when it is not. */
  downForMs(): number {
    return this.#state === 'down' ? Date.now() - this.#downSince : 0;
  }

  up(): void {
    if (this.#state === 'down') this.#options.logger.info({ downForMs: this.downForMs() }, 'rate limits: Redis is back, counts are shared again');
    this.#state = 'up';
  }

  down(error: unknown): void {
    const now = Date.now();
    this.#retryAt = now + this.#options.probeIntervalMs;
    if (this.#state === 'down') return;
    this.#state = 'down';
    this.#downSince = now;
    this.#options.logger.warn({ err: error }, `rate limits: Redis unavailable, ${this.#options.meanwhile}`);
  }
}
