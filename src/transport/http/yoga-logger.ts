// yoga's logger on the gateway's: each failure at the level its cause deserves.
import type { YogaLogger } from 'graphql-yoga';
import { GatewayError, type ErrorCode } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { isClientGone } from '../common/operation-signal.ts';

/** Codes that describe the client's request, not a fault of the gateway or of TGI. */
const CLIENT_CODES: ReadonlySet<ErrorCode> = new Set(['BAD_USER_INPUT', 'MODEL_NOT_FOUND', 'MODEL_NOT_CONFIGURED', 'UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED']);

/** yoga's logger on pino: a client's mistake is debug, an upstream failure a warning, a bug an error. */
export function yogaLogger(logger: Logger): YogaLogger {
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const [first, ...rest] = args;
    if (typeof first === 'string') logger[level](rest.length ? { details: rest } : {}, first);
    else logger[level]({ err: first, details: rest.length ? rest : undefined }, 'graphql');
  };
  const error = log('error');
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: (...args: unknown[]) => {
      const original = (args[0] as { originalError?: unknown } | undefined)?.originalError ?? args[0];
      // A client that leaves its mutation ends it with its signal's reason: the access log says
      // how it ended; here it is a note, with no stack, not an alert.
      if (isClientGone(original)) return logger.debug({ reason: (original as DOMException).message }, 'the client left the operation');
      if (!(original instanceof GatewayError)) return error(...args);
      const level = CLIENT_CODES.has(original.code) ? 'debug' : 'warn';
      // The client's message names no code or address: the upstream failure, detail included, is logged here.
      // The request scope names the request; a stream's error may be reported after it, tagged instead.
      const tagged = original.requestId === undefined ? {} : { requestId: original.requestId };
      logger[level]({ code: original.code, ...tagged, upstream: original.cause }, original.message);
    },
  };
}
