// The simulator as the rest of the project starts it: the shared server (core/) with each
// protocol's route table. The one module that knows both protocols; they never import each other.

import { startServer } from './core/server.ts';
import type { Simulator, SimulatorOptions } from './core/types.ts';
import { OPENAI_ROUTES } from './openai/routes.ts';
import { TGI_ROUTES } from './tgi/routes.ts';

export type { Simulator, SimulatorFaults, SimulatorOptions, SimulatorProtocol } from './core/types.ts';

export function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return startServer(options, { tgi: TGI_ROUTES, openai: OPENAI_ROUTES });
}
