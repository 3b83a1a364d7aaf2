// JSON logs (pino): one line per event, cheap enough for the hot path's rare logs.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/index.ts';
import { currentRequestId } from './lib/request-scope.ts';

export type { Logger };

export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'tgi-gateway' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Every line written while a request is served names it, whoever writes it.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId === undefined ? {} : { requestId };
    },
  });
}
