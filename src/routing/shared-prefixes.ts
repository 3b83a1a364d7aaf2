// The prefix index shared by every gateway process pointed at one Redis: each
// routing decision is published (model, replica, the prompt's block hashes)
// and every other process records it in its own index, as if it had sent the
// prompt itself. So N processes (WORKERS, or several hosts) route a
// conversation's turns to one replica whichever process takes each turn.
//
// Pub/sub, not a shared table: no Redis round trip on a request's path, and
// a Redis that is away costs nothing but the sharing (each process then
// routes on what it sent itself). A message lost while disconnected only
// makes the index a little more approximate, as it is anyway.
import { Redis } from 'ioredis';
import { randomText } from '../lib/random-bytes.ts';

const CHANNEL = 'tgi-gateway:routing:prefixes';

/** What another process sent where. */
export type Learn = (model: string, replica: string, blocks: readonly string[]) => void;

export interface SharedPrefixesLogger {
  warn(details: object, message: string): void;
}

interface Message {
  /** The publishing process, so that it skips its own messages. */
  o: string;
  m: string;
  r: string;
  b: readonly string[];
}

export class SharedPrefixes {
  readonly #origin = randomText(8, 'hex');
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #logger: SharedPrefixesLogger | undefined;
  #learn: Learn | undefined;
  #warned = false;

  constructor(url: string, logger?: SharedPrefixesLogger) {
    this.#logger = logger;
    const options = { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000) };
    this.#publisher = new Redis(url, options);
    // A subscriber connection must be able to queue its SUBSCRIBE until it is connected (and again after a reconnection).
    this.#subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
    for (const connection of [this.#publisher, this.#subscriber]) connection.on('error', (error: unknown) => this.#warn(error));
    this.#subscriber.on('message', (_channel: string, text: string) => this.#receive(text));
  }

  /** Starts hearing the other processes' decisions; resolves once subscribed, or after `timeoutMs` without Redis. */
  async listen(learn: Learn, timeoutMs = 2_000): Promise<void> {
    this.#learn = learn;
    const subscribed = this.#subscriber.subscribe(CHANNEL).catch((error: unknown) => this.#warn(error));
    await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  /** One routing decision of this process, for the others. Never waits, never throws. */
  record(model: string, replica: string, blocks: readonly string[]): void {
    if (this.#publisher.status !== 'ready') return;
    const message: Message = { o: this.#origin, m: model, r: replica, b: blocks };
    this.#publisher.publish(CHANNEL, JSON.stringify(message)).catch((error: unknown) => this.#warn(error));
  }

  async close(): Promise<void> {
    this.#publisher.disconnect();
    this.#subscriber.disconnect();
  }

  #receive(text: string): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (message.o === this.#origin || typeof message.m !== 'string' || typeof message.r !== 'string' || !Array.isArray(message.b)) return;
    this.#learn?.(message.m, message.r, message.b);
  }

  /** Said once per outage: the index is still used, only no longer shared. */
  #warn(error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#logger?.warn({ err: error }, 'routing: prefix index not shared through Redis (each process routes on its own)');
    this.#publisher.once('ready', () => {
      this.#warned = false;
    });
  }
}
