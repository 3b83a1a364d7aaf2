// graphql-ws (the graphql-transport-ws subprotocol) on the same port and path
// as yoga. Each operation gets its own context and its own AbortSignal, which
// fires when the client sends `complete` for it and when the socket closes.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocketServer, WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { createGraphQLError, type YogaInitialContext } from 'graphql-yoga';
import { getOperationAST, type DocumentNode, type ExecutionArgs, type GraphQLError } from 'graphql';
import type { Caller } from '../../access/caller.ts';
import type { Logger } from '../../logger.ts';
import { errorExtensions, GatewayError, shuttingDown } from '../../errors.ts';
import { requestScope } from '../../lib/request-scope.ts';
import { parseTraceparent } from '../../lib/trace.ts';
import type { GatewayContext } from '../../schema/context.ts';
import type { PersistedOperationsConfig } from '../../config/index.ts';
import type { Callers } from '../guards/callers.ts';
import { completedId, fitCloseReason, refuseServerMessages } from './messages.ts';
import { documentOf, persistedRefusal } from '../http/persisted-operations.ts';
import type { GraphQLHandler } from '../http/yoga.ts';
import { codeOf, finishError, type RefusalListener } from '../http/plugins.ts';
import type { Lifecycle } from '../probes.ts';
import { holdUntilTurnEnds } from './write-batching.ts';

type Enveloped = ReturnType<GraphQLHandler['getEnveloped']>;
type EnvelopedArgs = ExecutionArgs & { execute: Enveloped['execute']; subscribe: Enveloped['subscribe'] };

// By name: graphql's CJS and ESM builds each have their own GraphQLError class.
const isGraphQLError = (error: unknown): error is GraphQLError => error instanceof Error && error.name === 'GraphQLError';

/** graphql-ws writes `{"id":…,"type":"next",…}`; a quote inside the id is escaped, so the first `"type":"` is the key. */
const isNextMessage = (data: string): boolean => data.startsWith('next"', data.indexOf('"type":"') + 8);

const SOCKET_CLOSED = new DOMException('the WebSocket closed', 'AbortError');
const CANCELLED = new DOMException('the client completed the operation', 'AbortError');

export interface GraphQLWsOptions {
  keepAliveMs: number;
  lifecycle: Lifecycle;
  production: boolean;
  callers: Callers;
  persistedOperations: PersistedOperationsConfig | undefined;
  /** Told of each operation refused before it ran. */
  onRefused?: RefusalListener;
  /** Time a socket has to send `connection_init`. */
  initTimeoutMs: number;
  /** Operations one socket may have running at once. */
  maxOperations: number;
  /** A socket with nothing running for this long is closed. */
  idleTimeoutMs: number;
  logger: Logger;
}

/** What the gateway keeps per socket. */
interface SocketState {
  /** The controller of each running operation by its id, for the client's `complete`. */
  readonly byId: Map<string, AbortController>;
  /**
   * Every operation still running, by id or not: one the client completed in a
   * way the gateway did not see may still run, and still counts and is aborted on close.
   */
  readonly running: Set<AbortController>;
  /** Set by `connection_init`, when the key (if keys are on) was accepted. */
  caller: Caller | undefined;
  /** Closes the socket once nothing has run on it for the idle time; re-armed when the last operation ends. */
  readonly idle: NodeJS.Timeout;
}

export function attachGraphQLWs(yoga: GraphQLHandler, wss: WebSocketServer, options: GraphQLWsOptions) {
  const sockets = new WeakMap<WebSocket, SocketState>();
  // Which controller an operation got, to forget exactly that one when it ends (ids may be reused).
  const controllerOf = new WeakMap<object, AbortController>();

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const running = new Set<AbortController>();
    // The events of a turn (`next` frames) leave in one write. Other frames do not wait
    // for one (graphql-ws awaits their writes before it lets an operation's id go), but
    // they queue behind the events already held, so the order stays as sent.
    const raw = request.socket;
    const send = socket.send.bind(socket);
    socket.send = ((data: unknown, ...rest: unknown[]) => {
      if (typeof data === 'string' && isNextMessage(data)) holdUntilTurnEnds(raw);
      return (send as (...args: unknown[]) => void)(data, ...rest);
    }) as WebSocket['send'];
    const state: SocketState = {
      byId: new Map(),
      running,
      caller: undefined,
      // Fired while something runs, it waits: the last operation to end re-arms it.
      idle: setTimeout(() => running.size === 0 && socket.close(1000, 'idle'), options.idleTimeoutMs),
    };
    sockets.set(socket, state);
    // Straight from the socket: no waiting for graphql-ws to return() each iterator first.
    const endAll = () => {
      clearTimeout(state.idle);
      for (const controller of state.running) controller.abort(SOCKET_CLOSED);
      state.running.clear();
      state.byId.clear();
    };
    socket.once('close', endAll);
    // graphql-ws stops listening to a query or mutation on `complete` but lets it run
    // to its end: the gateway ends its generation right away instead.
    socket.on('message', (data) => {
      const id = completedId(data);
      if (id !== undefined) state.byId.get(id)?.abort(CANCELLED);
    });
    // graphql-ws puts an operation's id in some close reasons; a WebSocket allows 123 bytes.
    // Every close goes through here, the one ws starts when the client's close frame arrives
    // included: what runs on the socket ends now, not a closing handshake later.
    const close = socket.close.bind(socket);
    socket.close = (code?: number, reason?: string | Buffer) => {
      endAll();
      close(code, typeof reason === 'string' ? fitCloseReason(reason) : reason);
    };
  });

  const server = useServer(
    {
      connectionInitWaitTimeout: options.initTimeoutMs,
      // A message only a server may send would make graphql-ws throw (4500, and a stack trace
      // on stderr): refused while parsing, it is graphql-ws's own 4400 "Invalid message received".
      jsonMessageReviver: refuseServerMessages,
      // Returning false closes the socket with 4403 Forbidden.
      onConnect: (ctx) => {
        const state = sockets.get(ctx.extra.socket);
        const identified = options.callers.ofSocket(ctx.extra.request, ctx.connectionParams);
        if (!state || !identified.ok) return false;
        state.caller = identified.caller;
        return true;
      },
      // Within the operation's request scope: what is logged while it runs names it.
      execute: (args) => requestScope.run((args.contextValue as GatewayContext).requestId, () => (args as EnvelopedArgs).execute(args)),
      subscribe: (args) => requestScope.run((args.contextValue as GatewayContext).requestId, () => (args as EnvelopedArgs).subscribe(args)),
      onSubscribe: async (ctx, id, payload) => {
        const requestId = randomUUID();
        const finished = (errors: readonly GraphQLError[]) => {
          if (errors[0]) options.onRefused?.('ws', codeOf(errors[0]), requestId);
          return errors.map((e) => finishError(e, requestId, options.production, true));
        };
        const refused = (error: GatewayError) => {
          options.onRefused?.('ws', error.code, requestId);
          return [createGraphQLError(error.message, { extensions: errorExtensions(error, requestId) })];
        };
        if (options.lifecycle.draining) return refused(shuttingDown());
        // Closing already (a second connection_init, say): what arrived behind it must not run.
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return refused(new GatewayError('UNAUTHENTICATED', 'the connection is closing'));
        const state = sockets.get(ctx.extra.socket);
        if (!state?.caller) return refused(new GatewayError('UNAUTHENTICATED', 'the connection was not acknowledged'));
        // graphql-ws takes an id again only once it let go of the operation that had it
        // (the client completed it): whatever still runs under it is not wanted.
        const abandoned = state.byId.get(id);
        if (abandoned) {
          abandoned.abort(CANCELLED);
          state.running.delete(abandoned);
          state.byId.delete(id);
        }
        if (state.running.size >= options.maxOperations) {
          return refused(new GatewayError('RATE_LIMITED', `at most ${options.maxOperations} operations may run at once on one socket (WS_MAX_OPERATIONS)`, { retryAfterSeconds: 1 }));
        }
        const controller = new AbortController();
        const env = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          signal: controller.signal,
          requestId,
          caller: state.caller,
          transport: 'ws',
          traceparent: parseTraceparent(ctx.extra.request.headers.traceparent),
        } as unknown as YogaInitialContext);
        const source = documentOf(options.persistedOperations, payload as typeof payload & { documentId?: unknown });
        if ('refused' in source) return finished([persistedRefusal(source.refused)]);
        let document: DocumentNode;
        try {
          document = env.parse(source.document);
        } catch (error) {
          // Thrown, a syntax error would close the whole socket; returned, it ends this operation only.
          return finished([isGraphQLError(error) ? error : createGraphQLError('Syntax Error')]);
        }
        const errors = env.validate(env.schema, document);
        if (errors.length > 0) return finished(errors);
        // graphql-ws would say this itself, after this hook, without a code.
        if (!getOperationAST(document, payload.operationName)) {
          return finished([createGraphQLError('Unable to identify operation: name the one to run (operationName)', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
        }
        state.byId.set(id, controller);
        state.running.add(controller);
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
        const state = sockets.get(ctx.extra.socket);
        const controller = controllerOf.get(payload);
        if (!state || controller === undefined) return;
        state.running.delete(controller);
        if (state.byId.get(id) === controller) state.byId.delete(id);
        if (state.running.size === 0) state.idle.refresh();
      },
    },
    wss,
    options.keepAliveMs,
  );
  // graphql-ws answers a socket error (a client's bad frame, a message over the size limit:
  // ws has already closed the socket with its code) with console.error and a stack trace.
  // A client's mistake is not the operator's alarm: it goes to the debug log instead.
  wss.on('connection', (socket: WebSocket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error) => options.logger.debug({ err: error.message }, 'WebSocket client error'));
  });
  return server;
}
