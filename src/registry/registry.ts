// The models this gateway serves, built once from the configuration, and the
// background probing that keeps their replicas' health fresh.
import type { Config, ModelConfig } from '../config/index.ts';
import type { Logger } from '../logger.ts';
import type { ProtocolTable } from '../upstream/protocol.ts';
import { Model } from './model.ts';
import { Replica, type ReplicaOptions } from './replica.ts';
import type { PrefixSink } from './router.ts';

/** How replicas are reached: each model's protocol, and the connect timeout its clients use. */
export interface Upstreams {
  protocols: ProtocolTable;
  connectTimeoutMs: number;
  /** EXPOSE_ENDPOINTS=false: clients see no replica's address, in what its server says either. */
  hideAddresses?: boolean;
  /** How often each replica's `/metrics` is read for its load; 0 or absent: never. */
  metricsIntervalMs?: number;
  /** Where routing decisions are shared with other gateways (REDIS_URL). */
  prefixSink?: PrefixSink | undefined;
}

export class Registry {
  readonly models: readonly Model[];
  readonly #byId: ReadonlyMap<string, Model>;
  readonly #probeEveryMs: number;
  readonly #metricsEveryMs: number;
  #timer: NodeJS.Timeout | undefined;
  #metricsTimer: NodeJS.Timeout | undefined;

  constructor(models: readonly ModelConfig[], options: ReplicaOptions, upstreams: Upstreams) {
    this.models = models.map((m) => {
      const protocol = upstreams.protocols[m.upstream.protocol];
      const clientOptions = {
        connectTimeoutMs: upstreams.connectTimeoutMs, apiKey: m.upstream.apiKey, hideAddress: upstreams.hideAddresses, upstreamModel: m.upstream.model, server: m.upstream.server,
      };
      const replicas = m.endpoints.map((url) => new Replica(url, protocol.connect(url, clientOptions), options));
      return new Model(m, protocol.dialect, replicas, upstreams.prefixSink);
    });
    this.#byId = new Map(this.models.map((m) => [m.id, m]));
    this.#probeEveryMs = Math.max(1000, options.healthTtlMs);
    this.#metricsEveryMs = upstreams.metricsIntervalMs ?? 0;
  }

  /** `onEvent` hears every state change too (metrics count ejections). */
  static fromConfig(config: Config, protocols: ProtocolTable, logger?: Logger, onEvent?: ReplicaOptions['onEvent'], prefixSink?: PrefixSink): Registry {
    return new Registry(config.models, {
      onEvent: (replica, event) => {
        onEvent?.(replica, event);
        if (!logger) return;
        const { kind, ...details } = event;
        const level = kind === 'readmitted' || kind === 'recovered' ? 'info' : 'warn';
        logger[level]({ replica: replica.url, ...details }, `replica ${kind}`);
      },
      onBackgroundError: logger && ((replica, error) => logger.error({ replica: replica.url, err: error }, 'background probe failed')),
      healthTtlMs: config.healthCacheTtlMs,
      probeTimeoutMs: config.health.probeTimeoutMs,
      ejectAfterFailures: config.health.ejectAfterFailures,
      ejectBaseMs: config.health.ejectBaseMs,
      ejectMaxMs: config.health.ejectMaxMs,
    }, {
      protocols,
      connectTimeoutMs: config.upstream.connectMs,
      hideAddresses: !config.exposeEndpoints,
      metricsIntervalMs: config.upstreamMetricsIntervalMs,
      prefixSink,
    });
  }

  get(id: string): Model | undefined {
    return this.#byId.get(id);
  }

  get replicas(): Replica[] {
    return this.models.flatMap((m) => [...m.replicas]);
  }

  /** Probes every replica now (and fetches its limits), then again in the background. */
  async start(): Promise<void> {
    // A replica that cannot be probed is unhealthy, not a reason to fail the start.
    await Promise.allSettled(this.replicas.flatMap((r) => [r.probe(), r.serverLimits()]));
    this.#timer = setInterval(() => {
      for (const replica of this.replicas) replica.probeInBackground();
    }, this.#probeEveryMs);
    this.#timer.unref();
    this.#readLoads();
  }

  /** Each replica's load from its own `/metrics`, every interval (less often while it exports none), for the routers (never when the interval is 0). */
  #readLoads(): void {
    const every = this.#metricsEveryMs;
    if (every <= 0) return;
    const read = () => {
      for (const replica of this.replicas) if (replica.state !== 'EJECTED') void replica.readLoad(every);
    };
    read();
    this.#metricsTimer = setInterval(read, every);
    this.#metricsTimer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#metricsTimer);
    await Promise.all(this.replicas.map((r) => r.close()));
  }
}
