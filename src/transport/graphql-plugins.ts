// Small yoga/envelop plugins of the gateway. They hook the execute and
// subscribe phases, so they act over HTTP, SSE and WebSocket alike.
import { createGraphQLError, handleStreamOrSingleExecutionResult, isAsyncIterable, type Plugin, type YogaLogger } from 'graphql-yoga';
import type { ExecutionResult, GraphQLError } from 'graphql';
import { GatewayError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { GatewayContext } from '../schema/context.ts';

/**
 * Every error a client receives names the request, so that operators can find
 * it in the logs. Streams are left alone (wrapping them costs a hop per token):
 * their errors are GatewayErrors tagged with the id where they are relayed.
 */
export function useRequestIdInErrors(): Plugin<GatewayContext> {
  const idOf = (context: unknown) => (context as Partial<GatewayContext>).requestId;
  const stamp = (requestId: string | undefined, result: ExecutionResult, setResult: (r: ExecutionResult) => void) => {
    if (!requestId || !result.errors?.length) return;
    setResult({ ...result, errors: result.errors.map((error) => withRequestId(error, requestId)) });
  };
  return {
    onParse: ({ context }) => ({ result, replaceParseResult }) => {
      const requestId = idOf(context);
      if (requestId && result instanceof Error && result.name === 'GraphQLError') replaceParseResult(withRequestId(result as GraphQLError, requestId));
    },
    onValidate: ({ context }) => ({ result, setResult }) => {
      const requestId = idOf(context);
      if (requestId && result.length > 0) setResult((result as GraphQLError[]).map((error) => withRequestId(error, requestId)));
    },
    onExecute: () => ({
      onExecuteDone: (payload) => handleStreamOrSingleExecutionResult(payload, ({ args, result, setResult }) =>
        stamp(args.contextValue.requestId, result, setResult)),
    }),
    onSubscribe: () => ({
      onSubscribeResult: ({ args, result, setResult }) => {
        if (!isAsyncIterable(result)) stamp(args.contextValue.requestId, result, setResult);
      },
    }),
  };
}

function withRequestId(error: GraphQLError, requestId: string): GraphQLError {
  return createGraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: { ...error.extensions, requestId },
  });
}

const SUGGESTION = / ?Did you mean .*\?$/;

/** In production, validation errors do not hint at the schema ("Did you mean ...?"). */
export function useHiddenSuggestions(): Plugin<GatewayContext> {
  return {
    onValidate: () => ({ result, setResult }) => {
      if (result.length === 0) return;
      setResult((result as GraphQLError[]).map((error) =>
        SUGGESTION.test(error.message)
          ? createGraphQLError(error.message.replace(SUGGESTION, ''), { nodes: error.nodes, extensions: error.extensions })
          : error));
    },
  };
}

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
      if (!(original instanceof GatewayError)) return error(...args);
      const level = CLIENT_CODES.has(original.code) ? 'debug' : 'warn';
      logger[level]({ code: original.code }, original.message);
    },
  };
}
