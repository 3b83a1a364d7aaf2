// The ioredis client as the rate limits need it: never waiting on a Redis
// that is away. Commands fail at once while disconnected (no offline queue)
// and after a short timeout when Redis is slow; ioredis keeps reconnecting
// in the background, and every change is reported to the store's health.
import { Redis } from 'ioredis';
import type { RedisHealth } from './redis-health.ts';
import { LIMIT_SCRIPTS } from './redis-scripts.ts';

export interface ConnectionOptions {
  url: string;
  commandTimeoutMs: number;
  reconnectMaxDelayMs: number;
}

export function connectRedis(options: ConnectionOptions, health: RedisHealth, isClosing: () => boolean): Redis {
  const redis = new Redis(options.url, {
    scripts: LIMIT_SCRIPTS,
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    // An admit that timed out was answered without Redis: resending it after a reconnect would count it twice.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, options.reconnectMaxDelayMs),
  });
  redis.on('ready', () => health.up());
  // A listener also keeps ioredis from printing every failed reconnection attempt.
  redis.on('error', (error: unknown) => health.down(error));
  redis.on('close', () => {
    if (!isClosing()) health.down(new Error('connection to Redis closed'));
  });
  return redis;
}

/** True once `redis` is connected, false if not within `timeoutMs`. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (connected: boolean): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(connected);
    };
    const onReady = (): void => done(true);
    const timer = setTimeout(done, timeoutMs, false);
    redis.on('ready', onReady);
  });
}
