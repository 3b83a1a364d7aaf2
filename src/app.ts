// buildApp(config): the one place that wires the layers together,
// transport → schema → generation → registry → upstream (each protocol's client).
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/index.ts';
import { anyPrefixAware } from './config/models.ts';
import { Resumes } from './generation/resume/resumes.ts';
import { GenerationService } from './generation/service.ts';
import { KeyRing } from './access/keys.ts';
import { InFlight } from './lib/in-flight.ts';
import { createMemoryStore } from './rate-limits/memory-store.ts';
import { createRedisStore, type RedisStore } from './rate-limits/redis-store.ts';
import { limitsOff, type RateLimitStore } from './rate-limits/types.ts';
import type { Logger } from './logger.ts';
import { Registry } from './registry/registry.ts';
import { SharedPrefixes } from './routing/shared-prefixes.ts';
import type { ReplicaOptions } from './registry/replica.ts';
import { AccessLog } from './observability/access-log.ts';
import { observeAll } from './observability/observer.ts';
import { Metrics } from './observability/metrics.ts';
import type { Registry as PromRegistry } from 'prom-client';
import type { Services } from './schema/context.ts';
import { createCallers } from './transport/guards/callers.ts';
import { createCors } from './transport/guards/cors.ts';
import { createGraphiQL, graphiqlOptions } from './transport/pages/graphiql.ts';
import { createPlayground } from './transport/pages/playground.ts';
import { createGraphQLHandler } from './transport/http/yoga.ts';
import { createGraphQLWs } from './transport/ws/graphql-ws.ts';
import type { Lifecycle } from './transport/common/lifecycle.ts';
import { createRestHandler } from './transport/rest/routes.ts';
import { createV1Handler } from './transport/v1/routes.ts';
import { createGatewayServer } from './transport/server.ts';
import { OPENAI } from './upstream/openai/protocol.ts';
import type { ProtocolTable } from './upstream/protocol.ts';
import { TGI } from './upstream/tgi/protocol.ts';

/** Every protocol a model's replicas may speak: the only place that names them. */
const PROTOCOLS: ProtocolTable = { tgi: TGI, openai: OPENAI };

/** No store at all when every limit is off: generations then count nothing. */
function createRateLimits(config: Config, logger: Logger): (RateLimitStore & Partial<Pick<RedisStore, 'ready'>>) | undefined {
  if (limitsOff(config.rateLimits)) return undefined;
  const { url, failureMode } = config.redis;
  if (url === undefined) return createMemoryStore(config.rateLimits);
  return createRedisStore(config.rateLimits, { url, failureMode, logger });
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

/** How long start waits for Redis before serving with its failure mode. */
const REDIS_CONNECT_MS = 2000;

/** How long the last payloads and close frames of a shutdown may take to go out. */
const LAST_WORDS_MS = 1000;

export interface App {
  readonly services: Services;
  /** This process's metrics, for the primary to gather when WORKERS runs several. */
  readonly metricsRegistry: PromRegistry;
  /** Probes the replicas, then listens; resolves with the base URL. */
  start(): Promise<string>;
  /** Graceful: refuse new work, let generations finish within the drain time, then close everything. */
  stop(drainMs?: number): Promise<void>;
}

export interface AppOptions {
  /** The worker's number, when WORKERS runs several processes: a label on every metric. */
  worker?: string | undefined;
  /** Every worker's metrics (asked of the primary), served at /metrics instead of this one's. */
  clusterMetrics?: (() => Promise<string>) | undefined;
}

export function buildApp(config: Config, logger: Logger, options: AppOptions = {}): App {
  let replicaEvent: ReplicaOptions['onEvent'];
  // With Redis, every gateway process hears where the others sent which prompt prefixes.
  const sharedPrefixes = config.redis.url !== undefined && anyPrefixAware(config.models)
    ? new SharedPrefixes(config.redis.url, logger.child({ component: 'routing' }))
    : undefined;
  const registry = Registry.fromConfig(config, PROTOCOLS, logger.child({ component: 'registry' }), (replica, event) => replicaEvent?.(replica, event), sharedPrefixes);
  const rateLimits = createRateLimits(config, logger.child({ component: 'limits' }));
  const callers = createCallers(new KeyRing(config.apiKeys), config.trustProxy);
  // Read lazily: the service that holds the generations is made just below.
  const metrics = new Metrics({
    models: registry,
    active: () => generation.active,
    exposeEndpoints: config.exposeEndpoints,
    worker: options.worker,
    render: options.clusterMetrics,
  });
  replicaEvent = metrics.replicaEvent;
  const doorLog = logger.child({ component: 'http' });
  const observer = observeAll(metrics, new AccessLog(logger.child({ component: 'access' }), doorLog));
  const { firstTokenMs, idleMs, totalMs } = config.upstream;
  const generation = new GenerationService(registry, { retry: config.retry, failover: config.failover, budgets: { firstTokenMs, idleMs, totalMs }, rateLimits, observer });
  const about = { name: pkg.name, version: pkg.version, startedAt: Date.now() };
  const { url: redisUrl } = config.redis;
  const shared = redisUrl === undefined ? undefined : { url: redisUrl, runMs: totalMs, logger: logger.child({ component: 'resume' }) };
  const resumes = new Resumes(config.resume, shared);
  const services: Services = { registry, generation, resumes, about, exposeEndpoints: config.exposeEndpoints, streams: new InFlight() };
  const lifecycle: Lifecycle = { draining: false };
  /** A request refused before anything ran: counted, and logged once under its request id. */
  const onRefused = (transport: string, code: string, requestId: string | undefined) => observer.refused({ stage: 'door', transport, code, requestId });
  const yoga = createGraphQLHandler(services, {
    production: config.production,
    maxRequestBytes: config.maxRequestBytes,
    documents: config.documents,
    json: config.json,
    persistedOperations: config.persistedOperations,
    logger: logger.child({ component: 'graphql' }),
    onRefused,
  });
  const webSockets = createGraphQLWs(yoga, {
    keepAliveMs: config.wsKeepAliveMs,
    lifecycle,
    production: config.production,
    callers,
    persistedOperations: config.persistedOperations,
    onRefused,
    ...config.websocket,
    maxPayloadBytes: config.maxRequestBytes,
    logger: logger.child({ component: 'ws' }),
  });
  const graphiql = config.graphiql ? createGraphiQL(graphiqlOptions(registry.models[0]?.id)) : undefined;
  const server = createGatewayServer({
    yoga,
    webSockets,
    graphiql,
    playground: createPlayground(),
    metrics,
    onRefused,
    rest: createRestHandler({ registry, generation, about, exposeEndpoints: config.exposeEndpoints }, { maxBytes: config.maxRequestBytes, json: config.json }, logger.child({ component: 'rest' }), onRefused),
    v1: createV1Handler({ registry, generation, about, streams: services.streams }, { maxBytes: config.maxRequestBytes, json: config.json }, logger.child({ component: 'openai' }), onRefused),
    cors: createCors(config.allowedOrigins, logger.child({ component: 'cors' })),
    lifecycle,
    callers,
    maxRequestBytes: config.maxRequestBytes,
    connections: config.connections,
    json: config.json,
    workers: config.workers,
    persistedOperations: config.persistedOperations !== undefined,
    logger: doorLog,
  });

  return {
    services,
    metricsRegistry: metrics.registry,
    async start() {
      // Redis gets a moment to connect, so that the first requests are counted where they should be.
      // GraphiQL is compressed before the first visitor can ask for it.
      await Promise.all([
        registry.start(),
        rateLimits?.ready?.(REDIS_CONNECT_MS),
        graphiql?.ready(),
        sharedPrefixes?.listen((model, replica, blocks) => registry.get(model)?.router.learn(replica, blocks), REDIS_CONNECT_MS),
      ]);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      return `http://${host}:${port}`;
    },
    async stop(drainMs = config.shutdownDrainMs) {
      lifecycle.draining = true;
      resumes.drain();
      await generation.drain(drainMs);
      await services.streams.settled(LAST_WORDS_MS);
      await resumes.close();
      await webSockets.dispose(LAST_WORDS_MS);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await registry.close();
      await rateLimits?.close();
      await sharedPrefixes?.close();
      await yoga.dispose();
    },
  };
}
