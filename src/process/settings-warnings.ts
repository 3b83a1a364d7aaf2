// Settings that are set but would do nothing, or less than one would think, are
// said at start: a silent no-op is how limits end up off in production.
import type { Config } from '../config/index.ts';
import { anyPrefixAware } from '../config/models.ts';
import type { Logger } from '../logger.ts';
import { limitsOff } from '../rate-limits/types.ts';

export function warnAboutSettings(config: Config, logger: Logger): void {
  const limits = !limitsOff(config.rateLimits);
  const prefixes = anyPrefixAware(config.models);
  if (config.redis.url !== undefined && !limits && config.resume.resumeMs === 0 && !prefixes) {
    logger.warn('REDIS_URL is set but no rate limit is (RATE_LIMIT_RPM, RATE_LIMIT_TPM, MAX_CONCURRENT_STREAMS), resumable streams are off and no routing is prefix-aware: Redis is not used');
  }
  if (config.workers > 1 && config.resume.resumeMs > 0 && config.redis.url === undefined) {
    logger.warn({ workers: config.workers }, 'a resumable stream is resumed only by the worker that runs it: set REDIS_URL so that any worker can serve the resume');
  }
  if (config.workers > 1 && prefixes && config.redis.url === undefined) {
    logger.warn({ workers: config.workers }, 'each worker routes on the prompt prefixes it sent alone: set REDIS_URL to share them');
  }
  if (config.workers > 1 && limits && config.redis.url === undefined) {
    logger.warn({ workers: config.workers }, 'rate limits are counted in each worker alone: set REDIS_URL to share them');
  }
  if (config.production && config.exposeEndpoints) {
    logger.warn('EXPOSE_ENDPOINTS is on in production: clients see the model servers\' URLs');
  }
  if (config.apiKeys.length === 0 && config.production) {
    logger.warn('no API key is configured: anyone who reaches the port may generate');
  }
}
