// One gateway process: the app on its port until a signal drains and stops it.
// Alone, or as one of WORKERS processes (then the primary sends the signal).
import cluster from 'node:cluster';
import { buildApp } from '../app.ts';
import { withBuiltinSimulator } from './builtin-simulator.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../logger.ts';
import { askPrimaryForMetrics, serveMetricsToPrimary } from './cluster-metrics.ts';

/** Past the drain, how long a stop may take before the process exits anyway. */
export const STOP_GRACE_MS = 15_000;

export async function serve(loaded: Config, logger: Logger): Promise<void> {
  const worker = cluster.isWorker ? String(cluster.worker!.id) : undefined;
  const { config, simulator } = await withBuiltinSimulator(loaded, logger);
  const app = buildApp(config, logger, { worker, clusterMetrics: worker === undefined ? undefined : askPrimaryForMetrics });
  if (worker !== undefined) serveMetricsToPrimary(app.metricsRegistry);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A supervisor that signals the whole group reaches a worker twice (itself, and through
      // the primary): only the primary decides to cut a drain short.
      if (worker !== undefined) return;
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, drainMs: config.shutdownDrainMs }, 'shutting down: draining in-flight generations');
    // The drain is bounded; this is for a shutdown that hangs anyway.
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.shutdownDrainMs + STOP_GRACE_MS).unref();
    void app.stop()
      .then(() => simulator?.close())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      }, (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  // Before listening: a signal during the start drains too.
  process.on('SIGTERM', () => stop('SIGTERM'));
  // A worker's Ctrl-C reaches its primary too, which drains every worker: the worker waits for that.
  process.on('SIGINT', () => (worker === undefined ? stop('SIGINT') : undefined));
  const url = await app.start();
  logger.info({ url: `${url}/graphql`, models: config.models.map((m) => m.id), worker, pid: process.pid }, 'gateway listening');
}
