// GraphQL over HTTP (GET/POST), GraphQL over SSE and GraphiQL, all by yoga on /graphql.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createGraphQLError, createYoga, maskError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import type { Caller } from '../../access/caller.ts';
import type { PersistedOperationsConfig } from '../../config/index.ts';
import { errorExtensions, GatewayError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { schema } from '../../schema/index.ts';
import type { GatewayContext, Services } from '../../schema/context.ts';
import { useDocumentLimits, type DocumentLimits } from '../guards/document-limits.ts';
import { boundedParseCache } from './parse-cache.ts';
import { useFinishedErrors, useParameterErrors, yogaLogger, type RefusalListener } from './plugins.ts';
import { usePersisted } from './persisted-operations.ts';
import { useCompiledExecution } from './compiled-execution.ts';

export const GRAPHQL_PATH = '/graphql';

/** What the node:http router (HTTP) or the graphql-ws glue (WebSocket) hands to yoga. */
export interface ServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  requestId?: string;
  /** Identified by server.ts (HTTP) or graphql-ws.ts (socket) before yoga runs. */
  caller?: Caller;
  /** Set on the WebSocket path and the common-request path; otherwise it follows from the Accept header. */
  transport?: 'ws' | 'http' | 'sse';
  traceparent?: string | undefined;
  /** Set on the WebSocket path, where there is no Fetch Request to take it from. */
  signal?: AbortSignal;
}

export interface GraphQLOptions {
  production: boolean;
  maxRequestBytes: number;
  documents: DocumentLimits;
  persistedOperations: PersistedOperationsConfig | undefined;
  logger: Logger;
  /** Told of each request refused before it ran (parse, validation, HTTP errors). */
  onRefused?: RefusalListener;
}

/** What the parse caches may hold in all, in bytes (estimated), whatever the documents' count. */
const PARSE_CACHE_BYTES = 32 << 20;

export function createGraphQLHandler(services: Services, options: GraphQLOptions) {
  return createYoga<ServerContext, GatewayContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: (initial): GatewayContext => ({
      services,
      signal: initial.signal ?? initial.request.signal,
      requestId: initial.requestId ?? randomUUID(),
      caller: callerOf(initial),
      transport: initial.transport ?? (initial.request.headers.get('accept')?.includes('text/event-stream') ? 'sse' : 'http'),
      traceparent: initial.traceparent,
    }),
    // Served by graphiql.ts, compressed and cached.
    graphiql: false,
    landingPage: false,
    healthCheckEndpoint: '/__yoga/health',
    cors: false,
    multipart: false,
    maxRequestBodySize: options.maxRequestBytes,
    logging: yogaLogger(options.logger),
    plugins: [
      useParameterErrors(),
      ...(options.persistedOperations ? [usePersisted(options.persistedOperations)] : []),
      useDocumentLimits(options.documents),
      useFinishedErrors(options.production, options.onRefused),
      useCompiledExecution(),
    ],
    // A persisted operation is named by `documentId` (GraphQL over HTTP's persisted documents).
    extraParamNames: ['documentId'],
    parserAndValidationCache: boundedParseCache(PARSE_CACHE_BYTES),
    maskedErrors: {
      // Internal details stay in the log, whatever NODE_ENV says.
      isDev: false,
      maskError: (error, message) => {
        // Duck-typed: graphql ships CJS and ESM builds, and instanceof fails across them.
        const { originalError, nodes, path, extensions } = (error ?? {}) as Partial<GraphQLError>;
        const original = originalError ?? error;
        if (!(original instanceof GatewayError)) return maskError(error, message, false);
        const requestId = typeof extensions?.requestId === 'string' ? extensions.requestId : undefined;
        return createGraphQLError(original.message, { nodes, path, extensions: errorExtensions(original, requestId) });
      },
    },
  });
}

export type GraphQLHandler = ReturnType<typeof createGraphQLHandler>;

/** Every entry identifies its caller first: an operation without one is a bug, and refused. */
function callerOf(initial: ServerContext): Caller {
  if (initial.caller === undefined) throw new Error('no caller was identified for this operation');
  return initial.caller;
}
