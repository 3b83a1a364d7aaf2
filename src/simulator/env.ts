// Options of the standalone simulator, read from environment variables.

import { FLAVOURS } from './core/options.ts';
import type { SimulatorOptions } from './core/types.ts';

function integer(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function milliseconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number of milliseconds, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function choice<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[]): T | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new Error(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(env[name])}`);
  }
  return raw as T;
}

/**
 * SIMULATOR_HOST, SIMULATOR_PORT (default 3000, TGI's), SIMULATOR_MODEL_ID, SIMULATOR_TTFT_MS,
 * SIMULATOR_TOKEN_MS, SIMULATOR_PROTOCOL (tgi | openai), SIMULATOR_SERVED_MODEL_NAME,
 * SIMULATOR_API_KEY, SIMULATOR_HEALTH (true | false), SIMULATOR_FLAVOUR (vllm | llamacpp | llamacpp-legacy; openai only),
 * and the server model: SIMULATOR_MAX_BATCH_SIZE, SIMULATOR_PREFILL_MS_PER_TOKEN, SIMULATOR_PREFIX_CACHE_BLOCKS.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): Partial<SimulatorOptions> {
  const options: Partial<SimulatorOptions> = {
    host: env['SIMULATOR_HOST']?.trim() || '127.0.0.1',
    port: integer(env, 'SIMULATOR_PORT', 0, 65_535) ?? 3000,
  };
  const modelId = env['SIMULATOR_MODEL_ID']?.trim();
  if (modelId) options.modelId = modelId;
  const ttft = milliseconds(env, 'SIMULATOR_TTFT_MS');
  if (ttft !== undefined) options.timeToFirstTokenMs = ttft;
  const perToken = milliseconds(env, 'SIMULATOR_TOKEN_MS');
  if (perToken !== undefined) options.timePerTokenMs = perToken;
  const protocol = choice(env, 'SIMULATOR_PROTOCOL', ['tgi', 'openai'] as const);
  if (protocol !== undefined) options.protocol = protocol;
  const served = env['SIMULATOR_SERVED_MODEL_NAME']?.trim();
  if (served) options.servedModelName = served;
  // Not trimmed: a key is compared byte for byte.
  const apiKey = env['SIMULATOR_API_KEY'];
  if (apiKey !== undefined && apiKey !== '') options.apiKey = apiKey;
  const batch = integer(env, 'SIMULATOR_MAX_BATCH_SIZE', 0, 1_000_000);
  if (batch !== undefined) options.maxBatchSize = batch;
  const prefill = milliseconds(env, 'SIMULATOR_PREFILL_MS_PER_TOKEN');
  if (prefill !== undefined) options.prefillMsPerToken = prefill;
  const cache = integer(env, 'SIMULATOR_PREFIX_CACHE_BLOCKS', 0, 100_000_000);
  if (cache !== undefined) options.prefixCacheBlocks = cache;
  const flavour = choice(env, 'SIMULATOR_FLAVOUR', FLAVOURS);
  if (flavour !== undefined) options.flavour = flavour;
  const health = choice(env, 'SIMULATOR_HEALTH', ['true', 'false'] as const);
  if (health !== undefined) options.health = health === 'true';
  return options;
}
