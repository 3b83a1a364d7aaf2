// graphql-ws (the graphql-transport-ws subprotocol) on the same port and path
// as yoga. Each operation gets its own context and its own AbortSignal, which
// fires on `complete` and when the socket closes.
import { randomUUID } from 'node:crypto';
import type { WebSocketServer, WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { createGraphQLError, type YogaInitialContext } from 'graphql-yoga';
import type { DocumentNode, ExecutionArgs, GraphQLError } from 'graphql';
import type { GraphQLHandler } from './graphql.ts';
import type { Lifecycle } from './probes.ts';
import { errorExtensions, shuttingDown } from '../errors.ts';

type Enveloped = ReturnType<GraphQLHandler['getEnveloped']>;
type EnvelopedArgs = ExecutionArgs & { execute: Enveloped['execute']; subscribe: Enveloped['subscribe'] };

// By name: graphql's CJS and ESM builds each have their own GraphQLError class.
const isGraphQLError = (error: unknown): error is GraphQLError => error instanceof Error && error.name === 'GraphQLError';

const SOCKET_CLOSED = new DOMException('the WebSocket closed', 'AbortError');
const COMPLETED = new DOMException('the operation completed', 'AbortError');

export function attachGraphQLWs(yoga: GraphQLHandler, wss: WebSocketServer, keepAliveMs: number, lifecycle: Lifecycle) {
  const operations = new WeakMap<WebSocket, Map<string, AbortController>>();
  const operationsOf = (socket: WebSocket) => {
    let ops = operations.get(socket);
    if (!ops) {
      const created = new Map<string, AbortController>();
      ops = created;
      operations.set(socket, created);
      // Straight from the socket: no waiting for graphql-ws to return() each iterator first.
      socket.once('close', () => {
        for (const controller of created.values()) controller.abort(SOCKET_CLOSED);
        created.clear();
      });
    }
    return ops;
  };

  return useServer(
    {
      execute: (args) => (args as EnvelopedArgs).execute(args),
      subscribe: (args) => (args as EnvelopedArgs).subscribe(args),
      onSubscribe: async (ctx, id, payload) => {
        const requestId = randomUUID();
        if (lifecycle.draining) {
          const error = shuttingDown();
          return [createGraphQLError(error.message, { extensions: errorExtensions(error, requestId) })];
        }
        const controller = new AbortController();
        const env = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          signal: controller.signal,
          requestId,
        } as unknown as YogaInitialContext);
        let document: DocumentNode;
        try {
          document = env.parse(payload.query);
        } catch (error) {
          // Thrown, a syntax error would close the whole socket; returned, it ends this operation only.
          return [isGraphQLError(error) ? error : createGraphQLError('Syntax Error')];
        }
        const errors = env.validate(env.schema, document);
        if (errors.length > 0) return errors;
        operationsOf(ctx.extra.socket).set(id, controller);
        const args: EnvelopedArgs = {
          schema: env.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await env.contextFactory(),
          execute: env.execute,
          subscribe: env.subscribe,
        };
        return args;
      },
      onComplete: (ctx, id) => {
        const ops = operations.get(ctx.extra.socket);
        ops?.get(id)?.abort(COMPLETED);
        ops?.delete(id);
      },
    },
    wss,
    keepAliveMs,
  );
}
