// Resumable generations' events in Redis (REDIS_URL), so that any gateway
// process can serve a resume while another runs the generation. Per
// generation: a Redis Stream of its events (capped, expiring) and a hash of
// what it is (owner, model, kind, whether it ended). Events are written in
// batches: the events a generation produced in one event-loop turn become one
// stream entry (the index of the first, and their JSON array), and every
// generation's entries of that turn go in one pipeline, never a round trip
// per token. Cancels travel on one channel to the process that runs the generation.
// The hash names that process, whose heartbeat (heartbeat.ts) tells readers
// elsewhere whether the generation can still end.
import { Redis } from 'ioredis';
import { GatewayError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { LogEnd } from './event-log.ts';
import { Heartbeat } from './heartbeat.ts';
import type { EventMirror, MirroredGeneration } from './mirror.ts';

export interface RedisEventsOptions {
  readonly url: string;
  /** How long an ended generation stays readable (and a reader counts as attached without renewing). */
  readonly resumeMs: number;
  /** Longest a generation may run (UPSTREAM_TIMEOUT_MS): the copy of a running one outlives it. */
  readonly runMs: number;
  /** Most entries kept per generation (the stream's MAXLEN, trimmed approximately; an entry holds a turn's events). */
  readonly maxEntries: number;
  readonly logger: Logger;
}

const CANCEL_CHANNEL = 'gateway:generation:cancel';
/** A reader elsewhere stopped explicitly: the running process ends the generation if nobody else reads it. */
const STOPPED_CHANNEL = 'gateway:generation:reader-stopped';
const COMMAND_TIMEOUT_MS = 2_000;
const eventsKey = (id: string) => `gateway:generation:{${id}}:events`;
const metaKey = (id: string) => `gateway:generation:{${id}}:meta`;
/** Readers in other processes: a sorted set of reader ids, scored by when their mark runs out. */
const attachedKey = (id: string) => `gateway:generation:{${id}}:attached`;

/** What the process running a generation is told by the others. */
export interface GenerationSignals {
  cancel(id: string): void;
  readerStopped(id: string): void;
}

/** A command to send, or events that become one stream entry. */
type Pending = { command: (string | number)[] } | { first: number; events: unknown[] };

/** A generation another process runs or ran, as its hash describes it. */
export interface RemoteGeneration extends MirroredGeneration {
  readonly ended: boolean;
  /** The process that runs it (undefined when written by a gateway that did not say). */
  readonly process: string | undefined;
}

/** A failure as written to Redis: its code and message (anything else was masked anyway). */
export function endToFields(end: LogEnd): string {
  if (end.as !== 'failed') return JSON.stringify({ as: end.as });
  const failure = end.failure instanceof GatewayError ? end.failure : new GatewayError('INTERNAL_SERVER_ERROR', 'Unexpected error.');
  return JSON.stringify({ as: 'failed', code: failure.code, message: failure.message, details: failure.details });
}

export function endFromFields(text: string): LogEnd {
  const parsed = JSON.parse(text) as { as: LogEnd['as']; code?: GatewayError['code']; message?: string; details?: GatewayError['details'] };
  if (parsed.as !== 'failed') return { as: parsed.as };
  return { as: 'failed', failure: new GatewayError(parsed.code ?? 'INTERNAL_SERVER_ERROR', parsed.message ?? 'Unexpected error.', parsed.details) };
}

export class RedisEvents {
  readonly options: RedisEventsOptions;
  readonly #writer: Redis;
  readonly #listener: Redis;
  readonly #heartbeat: Heartbeat;
  /** What is not yet written, by generation: flushed together at the end of the turn. */
  #pending = new Map<string, Pending[]>();
  #flushing: Promise<void> | undefined;
  #scheduled = false;

  constructor(options: RedisEventsOptions, signals: GenerationSignals) {
    this.options = options;
    this.#writer = this.connect();
    this.#listener = this.connect();
    this.#heartbeat = new Heartbeat(this.#writer);
    this.#listener.on('message', (channel: string, id: string) => (channel === CANCEL_CHANNEL ? signals.cancel(id) : signals.readerStopped(id)));
    void this.#listener.subscribe(CANCEL_CHANNEL, STOPPED_CHANNEL).catch((error: unknown) => options.logger.warn({ err: error }, 'cannot hear cancels through Redis'));
  }

  /** A connection of its own (a blocking read holds one). */
  connect(): Redis {
    // Bounded waits: a Redis that is away or stuck costs a resume a refusal, never a hang (a blocking read waits 1 s).
    const redis = new Redis(this.options.url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: COMMAND_TIMEOUT_MS });
    redis.on('error', (error: unknown) => this.options.logger.debug({ err: error }, 'Redis (resumable streams)'));
    return redis;
  }

  /** The copy of one generation's events. */
  mirror<E>(generation: MirroredGeneration): EventMirror<E> {
    const { id } = generation;
    const { resumeMs, runMs } = this.options;
    this.#queue(id, ['hset', metaKey(id), 'kind', generation.kind, 'owner', generation.owner ?? '', 'model', generation.modelId, 'ended', '0', 'process', this.#heartbeat.process]);
    this.#queue(id, ['pexpire', metaKey(id), runMs + resumeMs]);
    return {
      appended: (index, event) => this.#append(id, index, event),
      closed: (end) => {
        this.#queue(id, ['xadd', eventsKey(id), '*', 'end', endToFields(end)]);
        this.#queue(id, ['hset', metaKey(id), 'ended', '1']);
        for (const key of [eventsKey(id), metaKey(id)]) this.#queue(id, ['pexpire', key, resumeMs]);
      },
      followedElsewhere: async () => (await this.#writer.zcount(attachedKey(id), Date.now(), '+inf').catch(() => 0)) > 0,
    };
  }

  async find(id: string): Promise<RemoteGeneration | undefined> {
    const meta = await this.#writer.hgetall(metaKey(id));
    if (meta.kind !== 'chat' && meta.kind !== 'generate') return undefined;
    return { id, kind: meta.kind, owner: meta.owner === '' ? undefined : meta.owner, modelId: meta.model ?? '', ended: meta.ended === '1', process: meta.process || undefined };
  }

  /** Whether the generation will never end in Redis: forgotten, or running in a process that is no longer alive. */
  async abandoned(id: string): Promise<boolean> {
    const remote = await this.find(id);
    return !remote || (await this.orphaned(remote));
  }

  /** Whether a generation read already is still running in a process that is no longer alive. */
  async orphaned(remote: RemoteGeneration): Promise<boolean> {
    return !remote.ended && remote.process !== undefined && !(await this.#heartbeat.alive(remote.process));
  }

  /** The index of the first event kept, or undefined when none is. */
  async firstIndex(id: string): Promise<number | undefined> {
    const [first] = await this.#writer.xrange(eventsKey(id), '-', '+', 'COUNT', 1);
    const fields = first?.[1];
    return fields?.[0] === 'i' ? Number(fields[1]) : undefined;
  }

  /** Tells the process that runs it to stop it. */
  async cancel(id: string): Promise<void> {
    await this.#writer.publish(CANCEL_CHANNEL, id);
  }

  /** A reader in this process is attached to a generation another runs: renewed while it reads. */
  async attached(id: string, reader: string): Promise<void> {
    const key = attachedKey(id);
    await this.#writer.pipeline().zadd(key, Date.now() + this.options.resumeMs, reader).pexpire(key, this.options.resumeMs * 2).exec().catch(() => undefined);
  }

  /** That reader is gone; `stopped`: its client asked to stop, which the running process hears. */
  async left(id: string, reader: string, stopped: boolean): Promise<void> {
    await this.#writer.zrem(attachedKey(id), reader).catch(() => undefined);
    if (stopped) await this.#writer.publish(STOPPED_CHANNEL, id).catch(() => undefined);
  }

  eventsKey(id: string): string {
    return eventsKey(id);
  }

  /** Writes what is pending, then closes the connections. */
  async close(): Promise<void> {
    this.#flush();
    await this.#flushing;
    await this.#heartbeat.stop();
    this.#listener.disconnect();
    await this.#writer.quit().catch(() => undefined);
  }

  #queue(id: string, command: (string | number)[]): void {
    this.#batch(id).push({ command });
  }

  /** Joins the events of this turn that follow one another into one entry. */
  #append(id: string, index: number, event: unknown): void {
    const batch = this.#batch(id);
    const last = batch.at(-1);
    if (last && 'events' in last) last.events.push(event);
    else batch.push({ first: index, events: [event] });
  }

  #batch(id: string): Pending[] {
    let batch = this.#pending.get(id);
    if (!batch) this.#pending.set(id, (batch = []));
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
    return batch;
  }

  /** One pipeline for every command queued this turn; the next batch waits for it, so the order holds. */
  #flush(): void {
    this.#scheduled = false;
    if (this.#pending.size === 0) return;
    if (this.#writer.status !== 'ready') {
      // Away: what would queue up meanwhile is dropped (bounded memory); those generations resume here only.
      this.options.logger.debug({ generations: this.#pending.size }, 'Redis is away: resumable events not copied');
      this.#pending = new Map();
      return;
    }
    const commands: (string | number)[][] = [];
    const { maxEntries, runMs, resumeMs } = this.options;
    for (const [id, batch] of this.#pending) {
      let expiring = false;
      for (const item of batch) {
        if ('command' in item) {
          commands.push(item.command);
          continue;
        }
        commands.push(['xadd', eventsKey(id), 'MAXLEN', '~', maxEntries, '*', 'i', item.first, 'e', JSON.stringify(item.events)]);
        // The events expire as the generation's record does, even if its end is never written (its
        // process died, Redis was away then); once per batch, right after the events, so that a
        // close queued later in the batch sets the shorter expiry last.
        if (!expiring) commands.push(['pexpire', eventsKey(id), runMs + resumeMs]);
        expiring = true;
      }
    }
    this.#pending = new Map();
    const previous = this.#flushing ?? Promise.resolve();
    this.#flushing = previous.then(async () => {
      try {
        await this.#writer.pipeline(commands.map(([name, ...args]) => [String(name), ...args])).exec();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'resumable events not written to Redis');
      }
    });
  }
}
