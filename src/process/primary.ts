// WORKERS=N: a primary that forks N gateway processes sharing one port
// (node:cluster), replaces one that dies, gathers their metrics for /metrics,
// and on SIGTERM or SIGINT drains and stops them all before it exits.
import cluster, { type Worker } from 'node:cluster';
import { startBuiltinSimulator } from './builtin-simulator.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../logger.ts';
import { STOP_GRACE_MS } from './serve.ts';
import { gatherMetricsForWorkers } from './cluster-metrics.ts';

/** A worker that dies sooner than this after its start is restarted after a pause, not at once. */
const CRASH_LOOP_MS = 5000;
const RESTART_PAUSE_MS = 1000;

export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  // One built-in simulator for every worker, when no model is configured.
  const simulator = config.models.length === 0 ? await startBuiltinSimulator(config, logger) : undefined;
  const env: Record<string, string> = simulator ? simulator.env : {};
  gatherMetricsForWorkers();
  const startedAt = new Map<Worker, number>();
  let stopping = false;
  let restart: NodeJS.Timeout | undefined;
  // A restart scheduled before a shutdown must not start a worker during it.
  const fork = () => {
    if (!stopping) startedAt.set(cluster.fork(env), performance.now());
  };
  for (let i = 0; i < config.workers; i++) fork();
  logger.info({ workers: config.workers }, 'primary started its workers');

  cluster.on('exit', (worker, code, signal) => {
    const lived = performance.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) void finish(simulator, logger);
      return;
    }
    logger.error({ worker: worker.id, code, signal, livedMs: Math.round(lived) }, 'worker died: starting another');
    if (lived < CRASH_LOOP_MS) restart = setTimeout(fork, RESTART_PAUSE_MS);
    else fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: stopping every worker at once');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    clearTimeout(restart);
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'shutting down: draining every worker');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error('workers did not stop in time: exiting');
      process.exit(1);
    }, config.shutdownDrainMs + STOP_GRACE_MS + 1000).unref();
    if (Object.keys(cluster.workers ?? {}).length === 0) void finish(simulator, logger);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function finish(simulator: { close(): Promise<void> } | undefined, logger: Logger): Promise<void> {
  await simulator?.close();
  logger.info('stopped');
  process.exit(0);
}
