// Standalone simulator: `npm run simulator` (TGI; SIMULATOR_PROTOCOL=openai for vLLM's API).

import { DEFAULT_OPTIONS } from './core/options.ts';
import { optionsFromEnv } from './env.ts';
import { startSimulator, type Simulator } from './index.ts';

function fatal(message: string, code: number): never {
  console.error(`simulator: ${message}`);
  process.exit(code);
}

let simulator: Simulator;
try {
  const options = optionsFromEnv(process.env);
  simulator = await startSimulator(options);
  const kind = options.protocol === 'openai' ? 'OpenAI-compatible (vLLM)' : 'TGI';
  const model = options.servedModelName ?? options.modelId ?? DEFAULT_OPTIONS.modelId;
  console.log(`${kind} simulator serving ${model} at ${simulator.url}`);
} catch (error) {
  fatal((error as Error).message, 2);
}

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  simulator.close().then(
    () => process.exit(0),
    (error: unknown) => fatal(`close failed: ${(error as Error).message}`, 1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
