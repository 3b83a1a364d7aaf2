// One model server of a model (TGI or OpenAI-compatible): its client, its
// health, its load and its record of failures. The balancer reads `state` and `inFlight`; the generation
// service reports each attempt's outcome. Reading the state never starts I/O:
// an ejected replica is probed by a timer when its cool-down ends.
import { withDeadline } from '../lib/deadline.ts';
import type { ServerLimits, ServerLoad, UpstreamClient } from '../upstream/types.ts';
import { Cached } from './cached.ts';
import { LoadReads } from './load-reads.ts';

export type ReplicaState = 'HEALTHY' | 'UNHEALTHY' | 'EJECTED';

/**
 * Out of rotation after consecutive failures: first cooling down (no probe
 * readmits it), then, from the end of the cool-down, until a probe decides.
 */
type Ejection = { readonly coolingDown: NodeJS.Timeout } | 'awaitingProbe';

export interface ReplicaHealth {
  healthy: boolean;
  checkedAt: Date;
  latencyMs: number | null;
  error: string | null;
}

/** What operators want to hear about a replica: changes of state, not every request. */
export type ReplicaEvent =
  | { kind: 'ejected'; coolDownMs: number; failures: number }
  | { kind: 'readmitted' }
  | { kind: 'unhealthy'; error: string }
  | { kind: 'recovered' };

export interface ReplicaOptions {
  healthTtlMs: number;
  probeTimeoutMs: number;
  /** Consecutive failed requests that eject the replica. */
  ejectAfterFailures: number;
  /** First cool-down; it doubles with each ejection in a row, up to `ejectMaxMs`. */
  ejectBaseMs: number;
  ejectMaxMs: number;
  onEvent?: (replica: Replica, event: ReplicaEvent) => void;
  /** A probe that nobody awaits failed, or a listener threw: reported here, never thrown. */
  onBackgroundError?: (replica: Replica, error: unknown) => void;
}

/** The server's load as last read, and this gateway's in-flight count at that moment. */
interface LoadReading extends ServerLoad {
  readonly inFlightAtRead: number;
  readonly at: number;
}

export class Replica {
  readonly url: string;
  readonly client: UpstreamClient;
  readonly #options: ReplicaOptions;
  #inFlight = 0;
  #prefixHits = 0;
  #load: LoadReading | undefined;
  #readingLoad = false;
  readonly #loadReads = new LoadReads();
  #limitsFailedAt = Number.NEGATIVE_INFINITY;
  readonly #health: Cached<ReplicaHealth>;
  readonly #limits: Cached<ServerLimits>;
  #failures = 0;
  #ejections = 0;
  #ejection: Ejection | undefined;
  #closed = false;

  /** `client` speaks the replica's protocol; the replica owns it from now on (and closes it). */
  constructor(url: string, client: UpstreamClient, options: ReplicaOptions) {
    this.url = url;
    this.#options = options;
    this.client = client;
    this.#health = new Cached(() => this.#probe(), options.healthTtlMs);
    this.#limits = new Cached(
      () => withDeadline(options.probeTimeoutMs, (signal) => this.client.serverLimits(signal)),
      Number.POSITIVE_INFINITY,
    );
  }

  /** Requests of this gateway now running on the replica. */
  get inFlight(): number {
    return this.#inFlight;
  }

  acquire(): void {
    this.#inFlight += 1;
  }

  /**
   * Whether a request sent now waits in the server's queue behind this
   * gateway's own: every slot the server reported (one, when it reports none)
   * holds one of them. A server that queues is busy, not broken.
   */
  get full(): boolean {
    return this.#inFlight >= (this.#limits.peek()?.maxConcurrentRequests ?? 1);
  }

  release(): void {
    this.#inFlight -= 1;
  }

  /** Requests sent here because this replica held the longest prefix of their prompt. */
  get prefixHits(): number {
    return this.#prefixHits;
  }

  prefixHit(): void {
    this.#prefixHits += 1;
  }

  /**
   * Requests waiting and running on the server: its own count as last read,
   * moved by this gateway's requests since (so a burst between two reads is
   * seen at once); without a reading, this gateway's in-flight count.
   */
  get load(): number {
    const reading = this.#load;
    if (reading === undefined) return this.#inFlight;
    return Math.max(0, reading.waiting + reading.running + this.#inFlight - reading.inFlightAtRead, this.#inFlight);
  }

  /** Requests waiting in the server's own queue as last read; undefined when unknown. */
  get queueSize(): number | undefined {
    return this.#load?.waiting;
  }

  /** The server's KV-cache share in use as last read; undefined when unknown. */
  get kvCacheUsage(): number | undefined {
    return this.#load?.kvCacheUsage ?? undefined;
  }

  /**
   * Called every `everyMs`: reads the server's `/metrics` when due (one read at
   * a time; less and less often while it exports none, see load-reads.ts),
   * within the probe timeout. A replica that exports none, or cannot be read,
   * falls back to this gateway's count; a reading older than three intervals
   * is dropped.
   */
  async readLoad(everyMs: number): Promise<void> {
    const read = this.client.serverLoad?.bind(this.client);
    if (this.#readingLoad || read === undefined || !this.#loadReads.due()) return;
    this.#readingLoad = true;
    try {
      const load = await withDeadline(this.#options.probeTimeoutMs, read);
      this.#loadReads.answered(load !== undefined, everyMs);
      this.#load = load && { ...load, inFlightAtRead: this.#inFlight, at: performance.now() };
    } catch {
      if (this.#load !== undefined && performance.now() - this.#load.at > 3 * everyMs) this.#load = undefined;
    } finally {
      this.#readingLoad = false;
    }
  }

  get state(): ReplicaState {
    if (this.#ejection !== undefined) return 'EJECTED';
    return this.#health.peek()?.healthy === false ? 'UNHEALTHY' : 'HEALTHY';
  }

  /** The cached health, probing when it is older than the TTL. */
  health(): Promise<ReplicaHealth> {
    return this.#health.get();
  }

  /** Probes now (shared with any probe already in flight). */
  probe(): Promise<ReplicaHealth> {
    return this.#health.refresh();
  }

  /**
   * Probes without anyone waiting for the answer. A rejection nobody handles
   * would reach the process's fatal handler and end the gateway.
   */
  probeInBackground(): void {
    this.#health.refresh().catch((error: unknown) => this.#reportBackgroundError(error));
  }

  /**
   * `/info` limits, fetched once; undefined while the replica cannot tell. A
   * failed fetch is not retried for a health TTL, so that requests do not
   * queue behind a replica that does not answer.
   */
  async serverLimits(): Promise<ServerLimits | undefined> {
    const known = this.#limits.peek();
    if (known) return known;
    if (performance.now() - this.#limitsFailedAt < this.#options.healthTtlMs) return undefined;
    return this.#limits.get().catch(() => {
      this.#limitsFailedAt = performance.now();
      return undefined;
    });
  }

  knownServerLimits(): ServerLimits | undefined {
    return this.#limits.peek();
  }

  succeeded(): void {
    this.#failures = 0;
    this.#ejections = 0;
  }

  /** A request failed in a way that says the replica is broken (never for overload). */
  failed(): void {
    this.#failures += 1;
    if (this.#ejection === undefined && this.#failures >= this.#options.ejectAfterFailures) this.#eject();
  }

  close(): Promise<void> {
    this.#closed = true;
    if (this.#ejection !== undefined && this.#ejection !== 'awaitingProbe') clearTimeout(this.#ejection.coolingDown);
    return this.client.close();
  }

  #eject(): void {
    this.#ejections += 1;
    const coolDown = Math.min(this.#options.ejectBaseMs * 2 ** (this.#ejections - 1), this.#options.ejectMaxMs);
    // The cool-down is over when this fires: a probe then decides whether the replica comes back.
    const coolingDown = setTimeout(() => {
      this.#ejection = 'awaitingProbe';
      this.probeInBackground();
    }, coolDown);
    // An ejected replica is no reason for the process to stay up.
    coolingDown.unref();
    // A probe that ends after close() may still eject: nothing is armed then.
    if (this.#closed) clearTimeout(coolingDown);
    this.#ejection = { coolingDown };
    this.#emit({ kind: 'ejected', coolDownMs: coolDown, failures: this.#failures });
  }

  /** A listener's failure must not fail the request or the probe that changed the state. */
  #emit(event: ReplicaEvent): void {
    try {
      this.#options.onEvent?.(this, event);
    } catch (error) {
      this.#reportBackgroundError(error);
    }
  }

  #reportBackgroundError(error: unknown): void {
    try {
      this.#options.onBackgroundError?.(this, error);
    } catch {
      // Nothing is left to tell; the gateway keeps running.
    }
  }

  async #probe(): Promise<ReplicaHealth> {
    const wasHealthy = this.#health.peek()?.healthy ?? true;
    let probe = await withDeadline(this.#options.probeTimeoutMs, (signal) => this.client.health(signal));
    // Serving this gateway's requests, but silent to its probe (llama.cpp builds before 2025 starve
    // /health under load): busy, not down. Those requests' own timeouts judge it.
    if (!probe.healthy && probe.timedOut === true && wasHealthy && this.#ejection === undefined && this.#inFlight > 0) {
      probe = { healthy: true, latencyMs: this.#options.probeTimeoutMs };
    }
    // A server whose requests name the model it serves (OpenAI-compatible ones, in `/v1/models`):
    // without that name no request can be sent, so the replica is not healthy.
    if (probe.healthy && this.client.serverLimitsRequired && !(await this.serverLimits())) {
      probe = { healthy: false, latencyMs: probe.latencyMs, error: 'the model list (/v1/models) could not be read' };
    }
    const report: ReplicaHealth = {
      healthy: probe.healthy,
      checkedAt: new Date(),
      latencyMs: probe.latencyMs,
      error: probe.healthy ? null : probe.error,
    };
    if (this.#ejection === 'awaitingProbe') {
      if (probe.healthy) {
        this.#ejection = undefined;
        this.#failures = 0;
        this.#loadReads.again();
        this.#emit({ kind: 'readmitted' });
      } else {
        this.#eject();
      }
    }
    if (probe.healthy !== wasHealthy) {
      this.#emit(probe.healthy ? { kind: 'recovered' } : { kind: 'unhealthy', error: probe.error });
    }
    // A server that comes back may have been redeployed with other limits, or with metrics: ask it again at once.
    if (probe.healthy && !wasHealthy) {
      this.#limits.invalidate();
      this.#limitsFailedAt = Number.NEGATIVE_INFINITY;
      this.#loadReads.again();
    }
    return report;
  }
}
