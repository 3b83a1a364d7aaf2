// graphql-ws (the graphql-transport-ws subprotocol) on the upgrade of
// /graphql: graphql-ws's protocol core, makeServer, on the gateway's own
// socket adapter. Each operation runs yoga's enveloped pipeline with its own
// context and its one signal, which fires when the client sends `complete`
// for it or the socket starts to close.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionArgs } from 'graphql';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import { requestScope } from '../../lib/request-scope.ts';
import type { Logger } from '../../logger.ts';
import type { Callers } from '../guards/callers.ts';
import type { GraphQLHandler } from '../http/yoga.ts';
import { GatewaySocket } from './gateway-socket.ts';
import { refuseServerMessages } from './messages.ts';
import { Session } from './session.ts';
import { failed, serveSocket } from './socket-adapter.ts';
import { PreparedOperation, subscribePreparer, type SubscribeOptions } from './subscribe.ts';
import { untilCompleted } from './until-completed.ts';

interface GraphQLWsOptions extends SubscribeOptions {
  keepAliveMs: number;
  callers: Callers;
  /** Time a socket has to send `connection_init`. */
  initTimeoutMs: number;
  /** A socket with nothing running for this long is closed. */
  idleTimeoutMs: number;
  /** The largest message a client may send. */
  maxPayloadBytes: number;
  /** Unread output past which a socket is closed (1009). */
  maxBufferedBytes: number;
  logger: Logger;
}

/** Close reasons for a refused `connection_init` (at most 123 bytes each). */
const UNAUTHENTICATED_REASON = {
  missing: 'an API key is required: send {"authorization": "Bearer <key>"} as the connection_init payload',
  unknown: 'the API key is not valid',
} as const;

export function createGraphQLWs(yoga: GraphQLHandler, options: GraphQLWsOptions) {
  const prepare = subscribePreparer(yoga, options);

  const run = (args: ExecutionArgs, how: 'execute' | 'subscribe') => {
    if (!(args instanceof PreparedOperation)) throw new Error('graphql-ws ran arguments that onSubscribe did not prepare');
    const { env, requestId, operation, session, payload } = args;
    // Within the operation's request scope: what is logged while it runs names it.
    return untilCompleted(requestScope.run(requestId, () => env[how](args)), {
      completed() {
        operation.clientGone('completed');
        session.ended(payload);
      },
      failed: (error) => failed(session.socket, error, options),
    });
  };

  const server = makeServer<Record<string, unknown>, Session>({
    connectionInitWaitTimeout: options.initTimeoutMs,
    jsonMessageReviver: refuseServerMessages,
    // A refused key closes with 4401, which graphql-ws clients do not retry (they retry the 4403 a
    // false alone gives); closing already, the socket ignores graphql-ws's own 4403 that follows.
    onConnect: (ctx) => {
      const identified = options.callers.ofSocket(ctx.extra.upgrade, ctx.connectionParams);
      if (!identified.ok) {
        ctx.extra.socket.close(CloseCode.Unauthorized, UNAUTHENTICATED_REASON[identified.reason]);
        return false;
      }
      ctx.extra.caller = identified.caller;
      return true;
    },
    onSubscribe: (ctx, _id, payload) => prepare(ctx.extra, payload),
    execute: (args) => run(args, 'execute'),
    subscribe: (args) => run(args, 'subscribe'),
    onComplete: (ctx, _id, payload) => ctx.extra.ended(payload),
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, WebSocket: GatewaySocket, handleProtocols });

  return {
    /** Takes over an upgrade request the server routed here (path, origin and drain checked). */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(server, ws, req, new Session(ws, req, options.idleTimeoutMs), options));
    },
    /** 1001 Going Away to every socket; one whose client does not read is cut after `graceMs`. */
    async dispose(graceMs: number): Promise<void> {
      for (const socket of sockets.clients) socket.close(1001, 'Going away');
      const cut = setTimeout(() => {
        for (const socket of sockets.clients) socket.terminate();
      }, graceMs);
      await new Promise<void>((resolve, reject) => sockets.close((error) => (error ? reject(error) : resolve())));
      clearTimeout(cut);
    },
  };
}

export type GraphQLWs = ReturnType<typeof createGraphQLWs>;
