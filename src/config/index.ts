// The one typed configuration, parsed once at start. No other module reads process.env.
import {
  ConfigError, readBool, readChoice, readInt, readList, readOptionalInt, readOptionalString, readString, type Env,
} from './env-parsers.ts';
import { readApiKeys, type ApiKeyConfig } from './keys.ts';
import { readPersistedOperations, type PersistedOperationsConfig } from './persisted.ts';
import { readModels, type ModelConfig } from './models.ts';

export { ConfigError } from './env-parsers.ts';
export type { ModelConfig, TimeoutOverrides } from './models.ts';
export type { ApiKeyConfig } from './keys.ts';
export type { PersistedOperationsConfig } from './persisted.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What one GraphQL document may hold and cost before it runs (see transport/guards/document-limits.ts). */
export interface DocumentLimits {
  /** Largest document, in UTF-8 bytes; long prompts travel as variables. */
  maxBytes: number;
  /** Most lexical tokens (graphql-js stops parsing past it). */
  maxTokens: number;
  /** Most generation fields (distinct response keys) in one operation. */
  maxGenerations: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** graphql-armor's cost: objects 2, scalars 1, times 1.5 per level of depth. */
  maxCost: number;
  /** Whether __schema and __type may be queried (GraphiQL needs them). */
  introspection: boolean;
}

/** What one TCP connection and one request may hold (see transport/common/connection-limits.ts). */
export interface ConnectionLimits {
  /** Open connections in all (per worker: WORKERS shares it out); past it a new one is closed at accept. */
  maxConnections: number;
  /** Open connections from one TCP peer address (a load balancer is one peer). */
  maxPerAddress: number;
  headersTimeoutMs: number;
  /** Time to receive a whole request (408 after). */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** The shape of a JSON request body or of GraphQL variables, checked before it is parsed into objects. */
export interface JsonLimits {
  maxDepth: number;
  maxKeys: number;
}

export interface UpstreamTimeouts {
  connectMs: number;
  firstTokenMs: number;
  idleMs: number;
  totalMs: number;
}

export interface Config {
  host: string;
  port: number;
  allowedOrigins: string[];
  production: boolean;
  logLevel: LogLevel;
  /** `json` lines; `pretty` for a person; `auto`: pretty at a terminal outside production. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** Largest accepted GraphQL/REST request body and WebSocket message. */
  maxRequestBytes: number;
  /** Serve GraphiQL at /graphql to browsers (compressed at start); false serves no page. */
  graphiql: boolean;
  /** What one GraphQL document may hold (its size and tokens) and start (generations). */
  documents: DocumentLimits;
  connections: ConnectionLimits;
  json: JsonLimits;
  /** PERSISTED_OPERATIONS_FILE and _ONLY; undefined = documents are sent in full. */
  persistedOperations: PersistedOperationsConfig | undefined;
  /** Interval of graphql-ws pings; a peer that misses one is dropped. */
  wsKeepAliveMs: number;
  websocket: {
    /** Time a socket has to send `connection_init` (graphql-ws closes it with 4408 after). */
    initTimeoutMs: number;
    /** Operations one socket may have running at once. */
    maxOperations: number;
    /** A socket with no operation running for this long is closed (1000). */
    idleTimeoutMs: number;
    /** A socket whose client leaves more than this unread is closed (1009). */
    maxBufferedBytes: number;
  };
  /** API keys (API_KEYS, API_KEYS_FILE); none = keys are not required. */
  apiKeys: ApiKeyConfig[];
  /** Per caller (key, else client address), over a sliding minute; undefined = off. */
  rateLimits: { rpm?: number; tpm?: number; concurrent?: number };
  /** Rate-limit counts shared by every gateway process through Redis. */
  redis: { url?: string; failureMode: 'open' | 'closed' };
  /** Take the client address from X-Forwarded-For (behind a proxy that sets it). */
  trustProxy: boolean;
  /** Gateway processes sharing the port (node:cluster); 1 = this process alone. */
  workers: number;
  exposeEndpoints: boolean;
  healthCacheTtlMs: number;
  /** How often each replica's `/metrics` is read for its queue and cache use; 0: never. */
  upstreamMetricsIntervalMs: number;
  health: { probeTimeoutMs: number; ejectAfterFailures: number; ejectBaseMs: number; ejectMaxMs: number };
  upstream: UpstreamTimeouts;
  retry: { maxAttempts: number; backoffBaseMs: number; backoffMaxMs: number };
  shutdownDrainMs: number;
  /** Resumable streams (STREAM_RESUME_MS, STREAM_RESUME_MAX_BYTES); resumeMs 0 = off. */
  resume: { resumeMs: number; maxBytes: number };
  /** STREAM_FAILOVER (continue: a stream whose replica fails mid-stream goes on from another) and STREAM_FAILOVER_MAX. */
  failover: { continue: boolean; max: number };
  models: ModelConfig[];
  /** Settings of the in-process simulator started when no model is configured. */
  simulator: { timeToFirstTokenMs: number; timePerTokenMs: number };
}

const MS = { min: 1, max: 24 * 3600 * 1000 };

export function loadConfig(env: Env = process.env): Config {
  const config = readConfig(env);
  checkKeyModels(config);
  checkTimeouts(config);
  return config;
}

/** node:http refuses a headers timeout longer than the whole request's. */
function checkTimeouts({ connections }: Config): void {
  if (connections.headersTimeoutMs > connections.requestTimeoutMs) throw new ConfigError('HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS');
}

/** A key limited to a model that does not exist is a typo that would lock its holder out. */
function checkKeyModels({ apiKeys, models }: Config): void {
  if (models.length === 0) return; // the built-in simulator's model is declared later
  const ids = new Set(models.map((m) => m.id));
  for (const key of apiKeys) {
    const unknown = key.models?.find((id) => !ids.has(id));
    if (unknown !== undefined) throw new ConfigError(`API_KEYS / API_KEYS_FILE: a key is limited to model "${unknown}", which is not declared (TGI_<KEY>_ID)`);
  }
}

function readConfig(env: Env): Config {
  return {
    host: readString(env, 'HOST', '0.0.0.0'),
    port: readInt(env, 'PORT', 8000, { min: 0, max: 65535 }),
    allowedOrigins: readList(env, 'ALLOWED_ORIGINS', ['http://localhost:3000']),
    production: readString(env, 'NODE_ENV', 'development') === 'production',
    logLevel: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: readChoice(env, 'LOG_FORMAT', ['auto', 'json', 'pretty'] as const, 'auto'),
    maxRequestBytes: readInt(env, 'MAX_REQUEST_BYTES', 1_048_576, { min: 1024 }),
    graphiql: readBool(env, 'GRAPHIQL', true),
    documents: {
      maxBytes: readInt(env, 'MAX_DOCUMENT_BYTES', 65_536, { min: 1024, max: 16_777_216 }),
      maxTokens: readInt(env, 'MAX_DOCUMENT_TOKENS', 2_000, { min: 100, max: 1_000_000 }),
      maxGenerations: readInt(env, 'MAX_GENERATIONS_PER_OPERATION', 1, { min: 1, max: 100 }),
      maxDepth: readInt(env, 'MAX_DOCUMENT_DEPTH', 8, { min: 2, max: 100 }),
      maxAliases: readInt(env, 'MAX_DOCUMENT_ALIASES', 15, { min: 1, max: 1000 }),
      maxDirectives: readInt(env, 'MAX_DOCUMENT_DIRECTIVES', 20, { min: 1, max: 1000 }),
      maxCost: readInt(env, 'MAX_DOCUMENT_COST', 5_000, { min: 10, max: 1_000_000 }),
      introspection: readBool(env, 'INTROSPECTION', true),
    },
    connections: {
      maxConnections: readInt(env, 'MAX_CONNECTIONS', 10_000, { min: 1, max: 1_000_000 }),
      maxPerAddress: readInt(env, 'MAX_CONNECTIONS_PER_ADDRESS', 256, { min: 1, max: 1_000_000 }),
      headersTimeoutMs: readInt(env, 'HEADERS_TIMEOUT_MS', 10_000, MS),
      requestTimeoutMs: readInt(env, 'REQUEST_TIMEOUT_MS', 30_000, MS),
      keepAliveTimeoutMs: readInt(env, 'KEEP_ALIVE_TIMEOUT_MS', 5_000, MS),
    },
    json: {
      maxDepth: readInt(env, 'MAX_JSON_DEPTH', 64, { min: 2, max: 10_000 }),
      maxKeys: readInt(env, 'MAX_JSON_KEYS', 10_000, { min: 1, max: 10_000_000 }),
    },
    persistedOperations: readPersistedOperations(env),
    wsKeepAliveMs: readInt(env, 'WS_KEEPALIVE_MS', 12_000, MS),
    websocket: {
      initTimeoutMs: readInt(env, 'WS_INIT_TIMEOUT_MS', 5_000, MS),
      maxOperations: readInt(env, 'WS_MAX_OPERATIONS', 16, { min: 1, max: 10_000 }),
      idleTimeoutMs: readInt(env, 'WS_IDLE_TIMEOUT_MS', 300_000, MS),
      maxBufferedBytes: readInt(env, 'WS_MAX_BUFFERED_BYTES', 1_048_576, { min: 65_536, max: 1_073_741_824 }),
    },
    apiKeys: readApiKeys(env),
    rateLimits: {
      rpm: readOptionalInt(env, 'RATE_LIMIT_RPM', { min: 1, max: 10_000_000 }),
      tpm: readOptionalInt(env, 'RATE_LIMIT_TPM', { min: 1, max: 1_000_000_000 }),
      concurrent: readOptionalInt(env, 'MAX_CONCURRENT_STREAMS', { min: 1, max: 1_000_000 }),
    },
    redis: { url: readRedisUrl(env), failureMode: readChoice(env, 'REDIS_FAILURE_MODE', ['open', 'closed'] as const, 'open') },
    trustProxy: readBool(env, 'TRUST_PROXY', false),
    workers: readInt(env, 'WORKERS', 1, { min: 1, max: 64 }),
    exposeEndpoints: readBool(env, 'EXPOSE_ENDPOINTS', true),
    healthCacheTtlMs: readInt(env, 'HEALTH_CACHE_TTL_MS', 30_000, { min: 0, max: MS.max }),
    upstreamMetricsIntervalMs: readInt(env, 'UPSTREAM_METRICS_INTERVAL_MS', 1_000, { min: 0, max: MS.max }),
    health: {
      probeTimeoutMs: readInt(env, 'HEALTH_PROBE_TIMEOUT_MS', 5_000, MS),
      ejectAfterFailures: readInt(env, 'EJECT_AFTER_FAILURES', 3, { min: 1, max: 1000 }),
      ejectBaseMs: readInt(env, 'EJECT_BASE_MS', 5_000, MS),
      ejectMaxMs: readInt(env, 'EJECT_MAX_MS', 300_000, MS),
    },
    upstream: {
      connectMs: readInt(env, 'UPSTREAM_CONNECT_TIMEOUT_MS', 5_000, MS),
      firstTokenMs: readInt(env, 'UPSTREAM_FIRST_TOKEN_TIMEOUT_MS', 60_000, MS),
      idleMs: readInt(env, 'UPSTREAM_IDLE_TIMEOUT_MS', 30_000, MS),
      totalMs: readInt(env, 'UPSTREAM_TIMEOUT_MS', 120_000, MS),
    },
    retry: {
      maxAttempts: readInt(env, 'RETRY_MAX_ATTEMPTS', 3, { min: 1, max: 10 }),
      backoffBaseMs: readInt(env, 'RETRY_BACKOFF_MS', 50, { min: 0, max: 10_000 }),
      backoffMaxMs: readInt(env, 'RETRY_BACKOFF_MAX_MS', 1_000, { min: 0, max: 60_000 }),
    },
    shutdownDrainMs: readInt(env, 'SHUTDOWN_DRAIN_MS', 30_000, { min: 0, max: MS.max }),
    resume: {
      resumeMs: readInt(env, 'STREAM_RESUME_MS', 30_000, { min: 0, max: MS.max }),
      maxBytes: readInt(env, 'STREAM_RESUME_MAX_BYTES', 1_048_576, { min: 1024, max: 1_073_741_824 }),
    },
    failover: {
      continue: readChoice(env, 'STREAM_FAILOVER', ['continue', 'off'] as const, 'continue') === 'continue',
      max: readInt(env, 'STREAM_FAILOVER_MAX', 1, { min: 0, max: 10 }),
    },
    models: readModels(env),
    simulator: {
      timeToFirstTokenMs: readInt(env, 'SIMULATOR_TTFT_MS', 150, { min: 0, max: 60_000 }),
      timePerTokenMs: readInt(env, 'SIMULATOR_TOKEN_MS', 40, { min: 0, max: 60_000 }),
    },
  };
}

function readRedisUrl(env: Env): string | undefined {
  const raw = readOptionalString(env, 'REDIS_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL is not a URL (expected redis://host:port or rediss://...)');
  }
  // The URL may carry a password: the message names only its scheme.
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError(`REDIS_URL must use redis: or rediss:, got ${url.protocol}`);
  return raw;
}
