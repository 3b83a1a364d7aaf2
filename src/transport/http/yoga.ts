// The yoga instance: GraphQL over HTTP (GET, POST) and over SSE on /graphql,
// and the enveloped pipeline (parse, validate, execute, the gateway's plugins)
// that the fast path and graphql-ws run as well.
import { createGraphQLError, createYoga, maskError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import type { Caller } from '../../access/caller.ts';
import type { JsonLimits, PersistedOperationsConfig } from '../../config/index.ts';
import { errorExtensions, GatewayError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { schema } from '../../schema/index.ts';
import type { GatewayContext, Services } from '../../schema/context.ts';
import { useDocumentLimits, type DocumentLimits } from '../guards/document-limits.ts';
import { useVariableShape } from '../guards/variable-shape.ts';
import type { RefusalListener } from '../common/refusal.ts';
import { useCompiledExecution } from './compiled-execution.ts';
import { useFinishedErrors } from './finished-errors.ts';
import { useParameterErrors } from './parameter-errors.ts';
import { boundedParseCache } from '../guards/parse-cache.ts';
import { useCachedIntrospection } from '../guards/standard-introspection.ts';
import { usePersisted } from './persisted-operations.ts';
import { useRequestShape } from './request-shape.ts';
import { yogaLogger } from './yoga-logger.ts';

export const GRAPHQL_PATH = '/graphql';

/** What every entry tells yoga of an operation: server.ts of an HTTP request, the graphql-ws hooks of a subscribe message. */
export interface ServerContext {
  requestId: string;
  /** Identified before yoga runs: by the request's headers, or by the socket's connection_init. */
  caller: Caller;
  transport: 'ws' | 'http' | 'sse';
  traceparent: string | undefined;
  /** The operation's one signal (common/operation-signal.ts). */
  signal: AbortSignal;
}

interface GraphQLOptions {
  production: boolean;
  maxRequestBytes: number;
  documents: DocumentLimits;
  /** Depth and keys of a JSON body or of variables, checked before they are parsed. */
  json: JsonLimits;
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
    context: ({ signal, requestId, caller, transport, traceparent }): GatewayContext => ({ services, signal, requestId, caller, transport, traceparent }),
    // Served by pages/graphiql.ts, compressed and cached.
    graphiql: false,
    landingPage: false,
    healthCheckEndpoint: '/__yoga/health',
    cors: false,
    multipart: false,
    maxRequestBodySize: options.maxRequestBytes,
    logging: yogaLogger(options.logger),
    plugins: [
      useParameterErrors(),
      useRequestShape(options.json),
      ...(options.persistedOperations ? [usePersisted(options.persistedOperations)] : []),
      useDocumentLimits(options.documents),
      useCachedIntrospection(),
      useVariableShape(options.json),
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
