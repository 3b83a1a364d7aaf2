// Start only: configuration → (WORKERS: a primary forking workers) → a gateway process.
import 'dotenv/config';
import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './config/index.ts';
import { createLogger } from './logger.ts';
import { serve } from './process/serve.ts';
import { warnAboutSettings } from './process/settings-warnings.ts';
import { runPrimary } from './process/primary.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`configuration error: ${error.message}`);
  process.exit(1);
}
const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && !config.production && process.stdout.isTTY === true);
const logger = createLogger(config.logLevel, pretty);
// A bug that escapes every handler ends the process, but not without a log line saying why.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    logger.fatal({ err: error }, event);
    process.exit(1);
  });
}
if (cluster.isPrimary) warnAboutSettings(config, logger);
if (config.workers > 1 && cluster.isPrimary) await runPrimary(config, logger);
else await serve(config, logger);
