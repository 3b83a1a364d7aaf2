import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';
import { warnAboutSettings } from '../../../src/process/settings-warnings.ts';

function warnings(env: Record<string, string>): string[] {
  const said: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => said.push((JSON.parse(line) as { msg: string }).msg) });
  warnAboutSettings(loadConfig({ TGI_A_ENDPOINT: 'http://a:1', ...env }), logger);
  return said;
}

describe('settings that would do less than one would think', () => {
  it('says REDIS_URL is unused only when neither rate limits, resumable streams nor prefix-aware routing use it', () => {
    expect(warnings({ REDIS_URL: 'redis://r:6379' }).join('\n')).not.toMatch(/Redis is not used/);
    expect(warnings({ REDIS_URL: 'redis://r:6379', ROUTING: 'least-in-flight' }).join('\n')).not.toMatch(/Redis is not used/);
    expect(warnings({ REDIS_URL: 'redis://r:6379', ROUTING: 'least-in-flight', STREAM_RESUME_MS: '0' }).join('\n')).toMatch(/Redis is not used/);
  });

  it('says that workers without Redis each route on their own prefixes', () => {
    expect(warnings({ WORKERS: '2' }).join('\n')).toMatch(/set REDIS_URL to share them/);
    expect(warnings({ WORKERS: '2', REDIS_URL: 'redis://r:6379' }).join('\n')).not.toMatch(/prompt prefixes/);
    expect(warnings({ WORKERS: '2', ROUTING: 'least-in-flight' }).join('\n')).not.toMatch(/prompt prefixes/);
  });
});
