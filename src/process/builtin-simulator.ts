// With no model configured, the gateway serves the built-in TGI simulator, so
// that a fresh clone answers in GraphiQL at once. Its model says what it is.
import type { Config, ModelConfig } from '../config/index.ts';
import type { Logger } from '../logger.ts';
import { startSimulator, type Simulator } from '../simulator/index.ts';

export const SIMULATOR_MODEL_ID = 'simulator';
const SIMULATOR_NAME = 'TGI simulator (built-in, not a real model)';

/** Starts the simulator; `env` declares its model to processes that read the environment (WORKERS). */
export async function startBuiltinSimulator(config: Config, logger: Logger): Promise<Simulator & { env: Record<string, string> }> {
  const simulator = await startSimulator({
    host: '127.0.0.1',
    port: 0,
    timeToFirstTokenMs: config.simulator.timeToFirstTokenMs,
    timePerTokenMs: config.simulator.timePerTokenMs,
  });
  logger.warn(
    { simulator: simulator.url },
    `no TGI_<KEY>_ENDPOINT configured: serving the built-in TGI simulator as model "${SIMULATOR_MODEL_ID}" (not a real model)`,
  );
  return Object.assign(simulator, { env: { TGI_SIMULATOR_ENDPOINT: simulator.url, TGI_SIMULATOR_NAME: SIMULATOR_NAME } });
}

export async function withBuiltinSimulator(config: Config, logger: Logger): Promise<{ config: Config; simulator?: Simulator }> {
  if (config.models.length > 0) return { config };
  const simulator = await startBuiltinSimulator(config, logger);
  const model: ModelConfig = { key: 'SIMULATOR', id: SIMULATOR_MODEL_ID, name: SIMULATOR_NAME, endpoints: [simulator.url], timeouts: {}, upstream: { protocol: 'tgi' } };
  return { config: { ...config, models: [model] }, simulator };
}
