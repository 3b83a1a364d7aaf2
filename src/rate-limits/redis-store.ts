// Rate limits shared by every gateway process pointed at one Redis. The Lua
// in redis-scripts.ts does check-and-count atomically; this file keeps the
// per-process side: tokens buffered and flushed in batches, leases renewed
// while their generations run, and what to do while Redis is away (down,
// slow or refusing; see redis-connection.ts for why that never hangs):
// `failureMode` 'open' counts in this process's memory with the same limits,
// 'closed' refuses as `unavailable`. When Redis answers again it is used again.
import { randomBytes } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { HeldLeases } from './held-leases.ts';
import { createMemoryStore, type MemoryStore } from './memory-store.ts';
import { connectRedis, whenReady } from './redis-connection.ts';
import { RedisHealth } from './redis-health.ts';
import { parseAdmitReply } from './redis-scripts.ts';
import { TokenBuffer } from './token-buffer.ts';
import {
  limitsOff, WINDOW_SECONDS,
  type Admission, type Lease, type RateLimitsLogger, type RateLimitStore, type RateLimits, type Refusal,
} from './types.ts';
import { UNLIMITED } from './unlimited.ts';

export interface RedisStoreOptions {
  url: string;
  /** Prepended to every key; default `tgi-gateway:limits:`. */
  keyPrefix?: string;
  failureMode: 'open' | 'closed';
  logger: RateLimitsLogger;
  /** Longest wait for one Redis answer before counting without it; default 250 ms. */
  commandTimeoutMs?: number;
  /** How long a lease outlives a process that died holding it; renewed every third of it. Default 30 s. */
  leaseTtlMs?: number;
  /** How often buffered tokens are written; default 500 ms. */
  flushIntervalMs?: number;
  /** Cap on the backoff between reconnection attempts; default 2 s. */
  reconnectMaxDelayMs?: number;
  /** After a failed command on a live connection, admits skip Redis this long; default 1 s. */
  probeIntervalMs?: number;
}

export interface RedisStore extends RateLimitStore {
  /** True once connected to Redis, false if not within `timeoutMs` (admits work either way). */
  ready(timeoutMs?: number): Promise<boolean>;
}

interface Keys {
  readonly requests: string;
  readonly tokens: string;
  readonly streams: string;
}

const UNAVAILABLE: Refusal = Object.freeze({ ok: false, limit: 'unavailable', retryAfterSeconds: 1 });

export function createRedisStore(limits: RateLimits, options: RedisStoreOptions): RedisStore {
  if (limitsOff(limits)) return { ...UNLIMITED, ready: () => Promise.resolve(true) };
  return new RedisLimitStore(limits, options);
}

class RedisLimitStore implements RedisStore {
  readonly #limits: RateLimits;
  readonly #prefix: string;
  readonly #leaseTtlMs: number;
  readonly #redis: Redis;
  readonly #health: RedisHealth;
  readonly #fallback: MemoryStore | undefined;
  readonly #tokens = new TokenBuffer();
  readonly #held = new HeldLeases();
  readonly #processId = randomBytes(6).toString('base64url');
  #sequence = 0;
  readonly #timers: NodeJS.Timeout[];
  #closed = false;

  constructor(limits: RateLimits, options: RedisStoreOptions) {
    this.#limits = { ...limits };
    this.#prefix = options.keyPrefix ?? 'tgi-gateway:limits:';
    this.#leaseTtlMs = options.leaseTtlMs ?? 30_000;
    const open = options.failureMode === 'open';
    this.#fallback = open ? createMemoryStore(limits) : undefined;
    this.#health = new RedisHealth({
      logger: options.logger,
      meanwhile: open ? 'counting in each process until it is back' : 'refusing generations until it is back',
      probeIntervalMs: options.probeIntervalMs ?? 1_000,
    });
    this.#redis = connectRedis({
      url: options.url,
      commandTimeoutMs: options.commandTimeoutMs ?? 250,
      reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? 2_000,
    }, this.#health, () => this.#closed);
    this.#timers = [
      setInterval(() => void this.#flush(), options.flushIntervalMs ?? 500).unref(),
      setInterval(() => this.#renew(), this.#leaseTtlMs / 3).unref(),
    ];
  }

  ready(timeoutMs = 5_000): Promise<boolean> {
    return whenReady(this.#redis, timeoutMs);
  }

  async admit(subject: string): Promise<Admission> {
    if (!this.#health.usable(this.#connected())) return this.#withoutRedis(subject);
    const keys = this.#keys(subject);
    const { rpm = 0, tpm = 0, concurrent = 0 } = this.#limits;
    const member = concurrent > 0 ? `${this.#processId}:${++this.#sequence}` : '';
    let refusal: Refusal | undefined;
    try {
      const reply = await this.#redis.limitsAdmit(
        keys.requests, keys.tokens, keys.streams, rpm, tpm, concurrent, member, this.#leaseTtlMs, this.#tokens.held(subject),
      );
      refusal = parseAdmitReply(reply);
    } catch (error) {
      this.#health.down(error);
      // A timed-out admit may still have run: give its slot back now rather than after a lease TTL.
      if (member) this.#redis.zrem(keys.streams, member).catch(noop);
      return this.#withoutRedis(subject);
    }
    this.#health.up();
    return refusal ?? { ok: true, lease: this.#lease(subject, keys, member) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    // Leases still open are not removed: like a process that died, they expire after their TTL.
    await this.#flush();
    await this.#fallback?.close();
    if (this.#connected()) await this.#redis.quit().catch(() => this.#redis.disconnect());
    else this.#redis.disconnect();
  }

  #lease(subject: string, keys: Keys, member: string): Lease {
    if (member) this.#held.add(keys.streams, member);
    const countsTokens = this.#limits.tpm !== undefined;
    let released = false;
    return {
      addTokens: (n) => {
        if (!released && countsTokens && n > 0) this.#tokens.add(subject, n);
      },
      release: () => {
        if (released) return;
        released = true;
        this.#release(subject, keys, member);
      },
    };
  }

  #release(subject: string, keys: Keys, member: string): void {
    if (member) this.#held.delete(keys.streams, member);
    const tokens = this.#tokens.take(subject);
    if (!member && tokens === 0) return;
    const pipeline = this.#redis.pipeline();
    if (member) pipeline.zrem(keys.streams, member);
    if (tokens > 0) pipeline.limitsAddTokens(keys.tokens, tokens);
    // On failure the tokens wait for the next flush; the slot, no longer renewed, expires by itself.
    this.#send(pipeline).catch((error: unknown) => {
      this.#health.down(error);
      if (tokens > 0) this.#tokens.add(subject, tokens);
    });
  }

  async #flush(): Promise<void> {
    if (this.#tokens.size === 0) return;
    if (!this.#health.usable(this.#connected())) {
      // Tokens older than the window would count for nothing: drop them rather than let the buffer grow.
      if (this.#health.downForMs() > WINDOW_SECONDS * 1000) this.#tokens.clear();
      return;
    }
    const batch = this.#tokens.takeAll();
    const pipeline = this.#redis.pipeline();
    for (const [subject, n] of batch) pipeline.limitsAddTokens(this.#keys(subject).tokens, n);
    await this.#send(pipeline).catch((error: unknown) => {
      this.#health.down(error);
      this.#tokens.restore(batch);
    });
  }

  #renew(): void {
    // Renewed whenever connected, even while admits skip a slow Redis: a running stream keeps its slot.
    if (this.#held.size === 0 || !this.#connected()) return;
    const pipeline = this.#redis.pipeline();
    for (const [streams, members] of this.#held.entries()) pipeline.limitsRenew(streams, this.#leaseTtlMs, ...members);
    this.#send(pipeline).catch((error: unknown) => this.#health.down(error));
  }

  async #send(pipeline: ChainableCommander): Promise<void> {
    if (pipeline.length === 0) return;
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    this.#health.up();
  }

  #withoutRedis(subject: string): Promise<Admission> {
    return this.#fallback ? this.#fallback.admit(subject) : Promise.resolve(UNAVAILABLE);
  }

  #connected(): boolean {
    return this.#redis.status === 'ready';
  }

  #keys(subject: string): Keys {
    const prefix = this.#prefix;
    return { requests: `${prefix}rpm:${subject}`, tokens: `${prefix}tpm:${subject}`, streams: `${prefix}streams:${subject}` };
  }
}

function noop(): void {}
