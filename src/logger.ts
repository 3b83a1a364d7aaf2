// JSON logs (pino): one line per event, cheap enough for the hot path's rare logs.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/index.ts';

export type { Logger };

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'tgi-gateway' }, timestamp: pino.stdTimeFunctions.isoTime });
}
