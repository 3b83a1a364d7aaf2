// Real processes on loopback: TGI simulators and a gateway, each on an
// ephemeral port, talking real HTTP and WebSocket. Nothing is mocked.
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/logger.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';

export interface Stack {
  url: string;
  wsUrl: string;
  app: App;
  simulators: Simulator[];
  stop(): Promise<void>;
}

/** Fast simulator timings so that a whole suite takes seconds. */
export const FAST = { timeToFirstTokenMs: 5, timePerTokenMs: 2 } as const;

export async function startSimulators(n: number, options: Partial<SimulatorOptions> = {}): Promise<Simulator[]> {
  return Promise.all(Array.from({ length: n }, () => startSimulator({ ...FAST, ...options })));
}

/**
 * A gateway with the given environment. `models` maps a `<KEY>` to its
 * simulators (several = replicas) or to `''` for a model without endpoint.
 */
export async function startGateway(
  models: Record<string, Simulator[] | string>,
  env: Record<string, string> = {},
): Promise<{ url: string; wsUrl: string; app: App }> {
  const modelEnv = Object.fromEntries(Object.entries(models).map(([key, target]) => [
    `TGI_${key}_ENDPOINT`,
    typeof target === 'string' ? target : target.map((s) => s.url).join(','),
  ]));
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', RETRY_BACKOFF_MS: '1', ...modelEnv, ...env });
  const app = buildApp(config, createLogger('silent'));
  const url = await app.start();
  return { url, wsUrl: `${url.replace(/^http/, 'ws')}/graphql`, app };
}

/** One simulator serving model `sim`, behind one gateway. */
export async function startStack(
  simulatorOptions: Partial<SimulatorOptions> = {},
  env: Record<string, string> = {},
): Promise<Stack> {
  const simulators = await startSimulators(1, simulatorOptions);
  const gateway = await startGateway({ SIM: simulators }, env);
  return {
    ...gateway,
    simulators,
    async stop() {
      await gateway.app.stop(0);
      await Promise.all(simulators.map((s) => s.close()));
    },
  };
}

/**
 * A loaded machine (CI on two cores, a test run beside a build) can stretch
 * what settles in milliseconds when idle to seconds: `eventually` waits at
 * least this long. It returns as soon as its condition holds, so an idle run
 * loses nothing; it only keeps a slow machine from failing a correct gateway.
 */
const SETTLE_FLOOR_MS = 15_000;

/** Polls until `check` holds (state that settles asynchronously, such as an abort reaching TGI); `timeoutMs` is what an idle machine needs. */
export async function eventually(check: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const until = Date.now() + Math.max(timeoutMs, SETTLE_FLOOR_MS);
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The simulator has no generation left running, and never produced a token for an absent client. */
export function assertNothingRunning(simulator: Simulator): boolean {
  const s = simulator.stats();
  return s.activeStreams === 0 && s.activeGenerations === 0 && s.tokensAfterAbort === 0;
}

/**
 * The gateway holds no generation (hence none of their timers), no in-flight
 * slot, no upstream request and no upstream socket other than idle keep-alive ones.
 */
export function gatewayIsIdle(app: App): boolean {
  const { generation, registry, streams } = app.services;
  if (generation.activeGenerations !== 0 || streams.size !== 0) return false;
  return registry.models.every((m) => m.inFlight === 0) && registry.replicas.every((r) => {
    const { busy, running, pending } = r.client.stats();
    return r.inFlight === 0 && busy === 0 && running === 0 && pending === 0;
  });
}

/** Timers armed in this process (Node counts one `Timeout` per active timer). */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** After a scenario: nothing runs on any simulator, nothing is held by the gateway. */
export async function settled(app: App, simulators: readonly Simulator[]): Promise<void> {
  await eventually(() => gatewayIsIdle(app) && simulators.every(assertNothingRunning), 3000, 'gateway and simulators to be idle');
}
