// Errors as clients receive them, over HTTP and graphql-ws alike, and the
// count of the requests refused before they ran.
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ExecutionResult, GraphQLError } from 'graphql';
import { capMessage } from '../../errors.ts';
import type { GatewayContext } from '../../schema/context.ts';
import type { RefusalListener } from '../common/refusal.ts';

/**
 * graphql-js appends its suggestions last, as ` Did you mean "a" or "b"?`; a
 * name in them cannot hold that phrase, so the last one starts them. Found by
 * lastIndexOf, in linear time: a regex over a message that echoes a client's
 * value would let the client choose how long it backtracks.
 */
function withoutSuggestions(message: string): string {
  if (!message.endsWith('?')) return message;
  const at = message.lastIndexOf(' Did you mean ');
  return at === -1 ? message : message.slice(0, at);
}

/**
 * A request that is not GraphQL over HTTP at all (a body that is not JSON, no
 * query) is 400 whatever the client accepts, as the README says and GraphQL
 * over HTTP recommends for a JSON parse failure; yoga marks these `spec`,
 * which would make them 200 under `application/json`.
 */
function requestRefusal(http: unknown): unknown {
  if (typeof http !== 'object' || http === null || !('spec' in http)) return http;
  const { spec: _spec, ...rest } = http as Record<string, unknown>;
  return rest;
}

/**
 * The last touch on every error a client receives: it names the request (so
 * that operators can find it in the logs), a variable that does not fit is
 * BAD_USER_INPUT like any other bad input, and in production no message hints
 * at the schema ("Did you mean ...?"); a message that echoes a large value is
 * capped. Applied where results go out, because yoga caches parse and
 * validation results across requests.
 */
export function finishError(error: GraphQLError, requestId: string | undefined, production: boolean, onSocket = false): GraphQLError {
  const message = capMessage(production ? withoutSuggestions(error.message) : error.message);
  const extensions: Record<string, unknown> = { ...error.extensions };
  // yoga's body parsers put the JSON parser's own error here (which quotes the body).
  delete extensions.originalError;
  // Read by yoga for the HTTP status; a WebSocket has none.
  if (onSocket) delete extensions.http;
  else if (extensions.code === 'BAD_REQUEST') extensions.http = requestRefusal(extensions.http);
  if (extensions.code === undefined && message.startsWith('Variable "$')) extensions.code = 'BAD_USER_INPUT';
  // yoga codes syntax errors on HTTP only; over graphql-ws they come bare.
  if (extensions.code === undefined && message.startsWith('Syntax Error')) extensions.code = 'GRAPHQL_PARSE_FAILED';
  if (requestId !== undefined) extensions.requestId = requestId;
  return createGraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions,
  });
}

/**
 * finishError on single results: over HTTP where yoga hands them to its result
 * processor (parse and validation errors included), over graphql-ws after
 * execute and subscribe. Streams are left alone (wrapping them costs a hop per
 * token): their errors are GatewayErrors tagged where they are relayed.
 */
export function useFinishedErrors(production: boolean, onRefused: RefusalListener = () => undefined): Plugin<GatewayContext> {
  const finish = (result: ExecutionResult, requestId: string | undefined, onSocket = false): ExecutionResult | undefined =>
    result.errors?.length ? { ...result, errors: result.errors.map((e) => finishError(e, requestId, production, onSocket)) } : undefined;
  const finishSingle = ({ result, setResult, args }: { result: unknown; setResult: (r: ExecutionResult) => void; args: { contextValue: GatewayContext } }) => {
    if (isAsyncIterable(result)) return;
    const finished = finish(result as ExecutionResult, args.contextValue.requestId, args.contextValue.transport === 'ws');
    if (finished) setResult(finished);
  };
  return {
    onResultProcess: ({ result, setResult, serverContext }) => {
      if (isAsyncIterable(result)) return;
      const requestId = (serverContext as Partial<GatewayContext>).requestId;
      const results = Array.isArray(result) ? result : [result];
      if (!results.some((r) => r.errors?.length)) return;
      // No `data` and no path: refused before anything ran (parse, validation, HTTP). A
      // subscription refused by its resolver has a path, and the service reports it.
      for (const r of results) {
        if (r.errors?.length && !('data' in r) && r.errors[0]!.path === undefined) onRefused('http', codeOf(r.errors[0]!), requestId);
      }
      const finished = results.map((r) => finish(r, requestId) ?? r);
      setResult(Array.isArray(result) ? finished : finished[0]!);
    },
    onExecute: () => ({ onExecuteDone: finishSingle }),
    onSubscribe: () => ({ onSubscribeResult: finishSingle }),
  };
}

export const codeOf = (error: GraphQLError): string => (typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN');
