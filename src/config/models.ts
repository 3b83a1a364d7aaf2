// The model registry as declared in the environment: TGI_<KEY>_ENDPOINT and its companions.
import { ConfigError, parseBaseUrl, readBool, readChoice, readOptionalInt, readOptionalString, type Env } from './env-parsers.ts';

/** Per-model overrides of the global upstream timeouts; unset means "use the global value". */
export interface TimeoutOverrides {
  totalMs?: number;
  firstTokenMs?: number;
  idleMs?: number;
}

export interface ModelConfig {
  /** The `<KEY>` of the variables, kept for messages. */
  key: string;
  id: string;
  name: string;
  /** Hugging Face model name; when absent it is read from the replica's `/info`. */
  hfName?: string;
  /** TGI base URLs, one per replica; empty for a declared but not configured model. */
  endpoints: string[];
  timeouts: TimeoutOverrides;
  /** Cap on requests in flight across the model's replicas; absent = from TGI's `/info`. */
  maxConcurrent?: number;
  /** How the replicas talk, and as whom; every replica of a model speaks the same. */
  upstream: UpstreamConfig;
  /** TGI_<KEY>_TOOLS=false: its servers take no tools, and requests with tools are refused before any call. Absent: true. */
  tools?: boolean;
  /** How a replica is chosen for each request (TGI_<KEY>_ROUTING, else ROUTING); absent, `prefix-aware`. */
  routing?: RoutingPolicy;
}

/** `least-in-flight`: fewest of this gateway's requests; `prefix-aware`: the longest cached prompt prefix, within a load guard. */
const ROUTING_POLICIES = ['prefix-aware', 'least-in-flight'] as const;
export type RoutingPolicy = (typeof ROUTING_POLICIES)[number];

/** Whether any of `models` routes by prompt prefix: the index other processes could share. */
export function anyPrefixAware(models: readonly ModelConfig[]): boolean {
  return models.some((m) => (m.routing ?? 'prefix-aware') === 'prefix-aware');
}

export interface UpstreamConfig {
  protocol: Protocol;
  /** Which server family answers (TGI_<KEY>_SERVER); absent: told from what the server answers. */
  server?: ServerFamily;
  /** The `model` sent; absent: "tgi" on TGI, the first id of `/v1/models` on OpenAI-compatible servers. */
  model?: string;
  /** Sent as a bearer to the replicas (`--api-key`); never logged, never shown. */
  apiKey?: string;
}

/** The protocols a model's replicas may speak (TGI_<KEY>_PROTOCOL): TGI's native routes, or the OpenAI-compatible API. */
const PROTOCOLS = ['tgi', 'openai'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The server families whose dialects the gateway knows (TGI_<KEY>_SERVER). */
const SERVERS = ['tgi', 'vllm', 'sglang', 'llamacpp', 'ollama'] as const;
export type ServerFamily = (typeof SERVERS)[number];

const ENDPOINT_VAR = /^TGI_([A-Z0-9_]+?)_ENDPOINT$/;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** Every model declared by a `TGI_<KEY>_ENDPOINT` variable, in a stable (sorted by key) order. */
export function readModels(env: Env): ModelConfig[] {
  const routing = readChoice(env, 'ROUTING', ROUTING_POLICIES, 'prefix-aware');
  const keys = Object.keys(env)
    .map((name) => ENDPOINT_VAR.exec(name)?.[1])
    .filter((key): key is string => key !== undefined)
    .sort();
  const models = keys.map((key) => readModel(env, key, routing));
  const seen = new Map<string, string>();
  for (const model of models) {
    const other = seen.get(model.id);
    if (other) throw new ConfigError(`TGI_${model.key}_ID and TGI_${other}_ID both declare model "${model.id}"`);
    seen.set(model.id, model.key);
  }
  return models;
}

function readModel(env: Env, key: string, routing: RoutingPolicy): ModelConfig {
  const prefix = `TGI_${key}`;
  const id = readOptionalString(env, `${prefix}_ID`) ?? key.toLowerCase().replaceAll('_', '-');
  if (!MODEL_ID.test(id)) {
    throw new ConfigError(`${prefix}_ID must be 1-128 letters, digits or ._:/- characters, got "${id}"`);
  }
  const endpointVar = `${prefix}_ENDPOINT`;
  const endpoints = (env[endpointVar] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((url) => parseBaseUrl(endpointVar, url));
  if (new Set(endpoints).size !== endpoints.length) throw new ConfigError(`${endpointVar} lists a URL twice`);
  // Node timers hold at most 2^31-1 ms; a day is far beyond any generation anyway.
  const timeout = (suffix: string) => readOptionalInt(env, `${prefix}_${suffix}`, { min: 1, max: 24 * 3600 * 1000 });
  const model: ModelConfig = {
    key,
    id,
    name: readOptionalString(env, `${prefix}_NAME`) ?? id,
    endpoints,
    upstream: dropUndefined({
      ...readServer(env, prefix),
      model: readOptionalString(env, `${prefix}_UPSTREAM_MODEL`),
      apiKey: readOptionalString(env, `${prefix}_API_KEY`),
    }),
    routing: readChoice(env, `${prefix}_ROUTING`, ROUTING_POLICIES, routing),
    timeouts: dropUndefined({
      totalMs: timeout('TIMEOUT_MS'),
      firstTokenMs: timeout('FIRST_TOKEN_TIMEOUT_MS'),
      idleMs: timeout('IDLE_TIMEOUT_MS'),
    }),
  };
  if (!readBool(env, `${prefix}_TOOLS`, true)) model.tools = false;
  const hfName = readOptionalString(env, `${prefix}_HF_NAME`);
  if (hfName) model.hfName = hfName;
  const maxConcurrent = readOptionalInt(env, `${prefix}_MAX_CONCURRENT`, { min: 1 });
  if (maxConcurrent) model.maxConcurrent = maxConcurrent;
  return model;
}

/**
 * TGI_<KEY>_PROTOCOL and TGI_<KEY>_SERVER: a server family alone implies its
 * protocol (TGI's native routes for tgi, the OpenAI-compatible API for the
 * others); TGI's native protocol is spoken by TGI only.
 */
function readServer(env: Env, prefix: string): { protocol: Protocol; server?: ServerFamily } {
  const server = env[`${prefix}_SERVER`]?.trim() ? readChoice(env, `${prefix}_SERVER`, SERVERS, 'tgi') : undefined;
  const implied: Protocol = server === undefined || server === 'tgi' ? 'tgi' : 'openai';
  const protocol = readChoice(env, `${prefix}_PROTOCOL`, PROTOCOLS, implied);
  if (protocol === 'tgi' && server !== undefined && server !== 'tgi') {
    throw new ConfigError(`${prefix}_SERVER=${server} speaks the OpenAI-compatible API: set ${prefix}_PROTOCOL=openai (or leave it unset)`);
  }
  return server === undefined ? { protocol } : { protocol, server };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
