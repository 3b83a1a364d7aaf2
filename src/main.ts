// Start only: configuration → app → listen → signals.
import 'dotenv/config';
import { withBuiltinSimulator } from './builtin-simulator.ts';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config/index.ts';
import { createLogger } from './logger.ts';

let loaded;
try {
  loaded = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`configuration error: ${error.message}`);
  process.exit(1);
}
const pretty = loaded.logFormat === 'pretty' || (loaded.logFormat === 'auto' && !loaded.production && process.stdout.isTTY === true);
const logger = createLogger(loaded.logLevel, pretty);
// A bug that escapes every handler ends the process, but not without a log line saying why.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    logger.fatal({ err: error }, event);
    process.exit(1);
  });
}
const { config, simulator } = await withBuiltinSimulator(loaded, logger);
const app = buildApp(config, logger);
const url = await app.start();
logger.info({ url: `${url}/graphql`, models: config.models.map((m) => m.id) }, 'gateway listening');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, drainMs: config.shutdownDrainMs }, 'shutting down: draining in-flight generations');
    // The drain is bounded; this is for a shutdown that hangs anyway.
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.shutdownDrainMs + 15_000).unref();
    void app.stop()
      .then(() => simulator?.close())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      }, (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  });
}
