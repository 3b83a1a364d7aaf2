// A model of the registry: what clients ask for by id, served by its replicas.
import type { ModelConfig, TimeoutOverrides } from '../config/index.ts';
import type { Replica } from './replica.ts';
import { Router, type PrefixSink } from './router.ts';
import type { Dialect } from '../upstream/protocol.ts';
import type { Protocol, ServerLimits } from '../upstream/types.ts';

export type HealthStatus = 'AVAILABLE' | 'UNAVAILABLE' | 'NOT_CONFIGURED';

export interface ModelHealth {
  modelId: string;
  endpoint: string | null;
  healthy: boolean;
  status: HealthStatus;
  checkedAt: Date;
  latencyMs: number | null;
  error: string | null;
}

export class Model {
  readonly id: string;
  readonly name: string;
  readonly replicas: readonly Replica[];
  readonly timeouts: TimeoutOverrides;
  readonly protocol: Protocol;
  readonly #protocolDialect: Dialect;
  /** Picks the replica of each attempt, by the model's routing policy. */
  readonly router: Router;
  /** Whether its servers take tools (TGI_<KEY>_TOOLS). */
  readonly tools: boolean;
  readonly #configuredHfName: string | undefined;
  readonly #maxConcurrent: number | undefined;
  #inFlight = 0;

  /** `sink`: where routing decisions are shared with other gateways (REDIS_URL), if anywhere. */
  constructor(config: ModelConfig, dialect: Dialect, replicas: readonly Replica[], sink?: PrefixSink) {
    this.id = config.id;
    this.router = new Router(config.id, config.routing ?? 'prefix-aware', { sink });
    this.#protocolDialect = dialect;
    this.tools = config.tools ?? true;
    this.name = config.name;
    this.replicas = replicas;
    this.timeouts = config.timeouts;
    this.protocol = config.upstream.protocol;
    this.#configuredHfName = config.hfName;
    this.#maxConcurrent = config.maxConcurrent;
  }

  /**
   * What its servers take: the rules of the family a replica said it is
   * (llama.cpp, vLLM, … from its /v1/models), else its protocol's. Validation,
   * tools and continuation all read this one.
   */
  get dialect(): Dialect {
    for (const replica of this.replicas) {
      const known = replica.knownServerLimits()?.dialect;
      if (known) return known;
    }
    return this.#protocolDialect;
  }

  get configured(): boolean {
    return this.replicas.length > 0;
  }

  /**
   * Configured, else the `model_id` TGI reports, else the id. A reported name
   * that shows the upstream key or a hidden address (a server may put anything
   * there) is not shown: the id is.
   */
  async hfName(): Promise<string> {
    if (this.#configuredHfName) return this.#configuredHfName;
    const reported = (await this.serverLimits())?.modelId;
    if (reported === undefined || !this.replicas.every((r) => r.client.mayShow(reported))) return this.id;
    return reported;
  }

  /**
   * The limits any replica reports (replicas of a model serve the same weights).
   * Known ones answer at once; otherwise the healthy replicas are asked together
   * and the first answer wins, so an unresponsive replica never delays a request.
   */
  async serverLimits(): Promise<ServerLimits | undefined> {
    for (const replica of this.replicas) {
      const limits = replica.knownServerLimits();
      if (limits) return limits;
    }
    const asked = this.replicas.filter((r) => r.state === 'HEALTHY').map((r) => r.serverLimits());
    return new Promise((resolve) => {
      let pending = asked.length;
      if (pending === 0) resolve(undefined);
      for (const answer of asked) {
        const unknown = () => {
          if (--pending === 0) resolve(undefined);
        };
        answer.then((limits) => (limits ? resolve(limits) : unknown()), unknown);
      }
    });
  }

  /** Generations of this gateway under way on the model, retries and backoffs included. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Takes a slot unless this gateway alone would exceed the model's capacity
   * (TGI_<KEY>_MAX_CONCURRENT, else the sum of the replicas' max_concurrent_requests).
   */
  admit(): boolean {
    const cap = this.#maxConcurrent ?? this.#reportedCapacity();
    if (cap !== undefined && this.#inFlight >= cap) return false;
    this.#inFlight += 1;
    return true;
  }

  leave(): void {
    this.#inFlight -= 1;
  }

  #reportedCapacity(): number | undefined {
    let total = 0;
    for (const replica of this.replicas) {
      const limits = replica.knownServerLimits();
      // A server that reports no cap (OpenAI-compatible ones queue) leaves the model uncapped here.
      if (limits?.maxConcurrentRequests === undefined) return undefined;
      total += limits.maxConcurrentRequests;
    }
    return total || undefined;
  }

  /** Available when any replica is healthy; probes the replicas whose cached result is stale. */
  async health(): Promise<ModelHealth> {
    const first = this.replicas[0];
    if (!first) {
      return {
        modelId: this.id, endpoint: null, healthy: false, status: 'NOT_CONFIGURED',
        checkedAt: new Date(), latencyMs: null, error: 'no endpoint configured',
      };
    }
    const reports = await Promise.all(this.replicas.map((r) => r.health()));
    const states = this.replicas.map((r) => r.state);
    const best = reports.findIndex((report, i) => report.healthy && states[i] === 'HEALTHY');
    const shown = reports[best === -1 ? 0 : best]!;
    const healthy = best !== -1;
    return {
      modelId: this.id,
      endpoint: first.url,
      healthy,
      status: healthy ? 'AVAILABLE' : 'UNAVAILABLE',
      checkedAt: shown.checkedAt,
      latencyMs: shown.latencyMs,
      error: healthy ? null : (shown.error ?? 'replica ejected after repeated failures'),
    };
  }
}
