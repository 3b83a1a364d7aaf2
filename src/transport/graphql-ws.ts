// graphql-ws (the graphql-transport-ws subprotocol) on the same port and path
// as yoga. Each operation gets its own context and its own AbortSignal, which
// fires when the client sends `complete` for it and when the socket closes.
import { randomUUID } from 'node:crypto';
import type { WebSocketServer, WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { createGraphQLError, type YogaInitialContext } from 'graphql-yoga';
import type { DocumentNode, ExecutionArgs, GraphQLError } from 'graphql';
import { errorExtensions, shuttingDown } from '../errors.ts';
import { parseTraceparent } from '../lib/trace.ts';
import type { GraphQLHandler } from './graphql.ts';
import { finishError } from './graphql-plugins.ts';
import type { Lifecycle } from './probes.ts';

type Enveloped = ReturnType<GraphQLHandler['getEnveloped']>;
type EnvelopedArgs = ExecutionArgs & { execute: Enveloped['execute']; subscribe: Enveloped['subscribe'] };

// By name: graphql's CJS and ESM builds each have their own GraphQLError class.
const isGraphQLError = (error: unknown): error is GraphQLError => error instanceof Error && error.name === 'GraphQLError';

const SOCKET_CLOSED = new DOMException('the WebSocket closed', 'AbortError');
const CANCELLED = new DOMException('the client completed the operation', 'AbortError');

export interface GraphQLWsOptions {
  keepAliveMs: number;
  lifecycle: Lifecycle;
  production: boolean;
}

export function attachGraphQLWs(yoga: GraphQLHandler, wss: WebSocketServer, options: GraphQLWsOptions) {
  // Per socket, the controller of each running operation by id.
  const operations = new WeakMap<WebSocket, Map<string, AbortController>>();
  // Which controller an operation got, to forget exactly that one when it ends (ids may be reused).
  const controllerOf = new WeakMap<object, AbortController>();

  wss.on('connection', (socket: WebSocket) => {
    const running = new Map<string, AbortController>();
    operations.set(socket, running);
    // Straight from the socket: no waiting for graphql-ws to return() each iterator first.
    socket.once('close', () => {
      for (const controller of running.values()) controller.abort(SOCKET_CLOSED);
      running.clear();
    });
    // graphql-ws stops listening to a query or mutation on `complete` but lets it run
    // to its end: the gateway ends its generation right away instead.
    socket.on('message', (data) => {
      const id = completedId(data);
      if (id !== undefined) running.get(id)?.abort(CANCELLED);
    });
  });

  return useServer(
    {
      execute: (args) => (args as EnvelopedArgs).execute(args),
      subscribe: (args) => (args as EnvelopedArgs).subscribe(args),
      onSubscribe: async (ctx, id, payload) => {
        const requestId = randomUUID();
        const finished = (errors: readonly GraphQLError[]) => errors.map((e) => finishError(e, requestId, options.production, true));
        if (options.lifecycle.draining) {
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
          traceparent: parseTraceparent(ctx.extra.request.headers.traceparent),
        } as unknown as YogaInitialContext);
        let document: DocumentNode;
        try {
          document = env.parse(payload.query);
        } catch (error) {
          // Thrown, a syntax error would close the whole socket; returned, it ends this operation only.
          return finished([isGraphQLError(error) ? error : createGraphQLError('Syntax Error')]);
        }
        const errors = env.validate(env.schema, document);
        if (errors.length > 0) return finished(errors);
        operations.get(ctx.extra.socket)?.set(id, controller);
        controllerOf.set(payload, controller);
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
      onComplete: (ctx, id, payload) => {
        const running = operations.get(ctx.extra.socket);
        if (running?.get(id) === controllerOf.get(payload)) running?.delete(id);
      },
    },
    wss,
    options.keepAliveMs,
  );
}

/** The id of a client's `complete` message, read only from messages that can be one. */
function completedId(data: unknown): string | undefined {
  const text = String(data);
  if (text.length > 512 || !text.includes('"complete"')) return undefined;
  try {
    const message = JSON.parse(text) as { type?: unknown; id?: unknown };
    return message.type === 'complete' && typeof message.id === 'string' ? message.id : undefined;
  } catch {
    return undefined; // graphql-ws answers malformed messages itself
  }
}
