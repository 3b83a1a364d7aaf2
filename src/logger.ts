// JSON logs (pino): one line per event, cheap enough for the hot path's rare logs.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/index.ts';
import { createRequire } from 'node:module';
import { currentRequestId } from './lib/request-scope.ts';

const prettyInstalled = (): boolean => {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
};

export type { Logger };

/**
 * JSON lines, or pino-pretty's colored lines for a person at a terminal. pino-pretty
 * is a development dependency: where it is not installed, the lines stay JSON.
 */
export function createLogger(level: LogLevel, pretty = false): Logger {
  return pino({
    level,
    ...(pretty && prettyInstalled() ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } } : {}),
    base: { service: 'tgi-gateway' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Every line written while a request is served names it, whoever writes it.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId === undefined ? {} : { requestId };
    },
  });
}
