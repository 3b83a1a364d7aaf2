// One ws socket served by graphql-ws's protocol core (makeServer): the
// gateway's adapter, written after the contract graphql-ws's own use/ws.ts
// follows (opened() with send, close and onMessage; the returned handler told
// of the close). What the gateway does its own way: a turn's events leave in
// one write, keep-alive pings drop a silent peer, what a socket may send
// before it is acknowledged is bounded, a pong echoes only a small payload
// and pings are bounded per second,
// a peer that does not read is closed once its unread output passes a bound,
// and a client's broken frames
// go to the debug log while the gateway's own failures close with 4500.
import type { IncomingMessage } from 'node:http';
import { CloseCode, type Server } from 'graphql-ws';
import type { Logger } from '../../logger.ts';
import type { GatewaySocket } from './gateway-socket.ts';
import { limitBeforeInit } from './before-init.ts';
import { isAckMessage, isNextMessage } from './messages.ts';
import { limitPings } from './ping-rate.ts';
import { pongFor } from './pong.ts';
import { unreadOutputLimit } from './unread-output.ts';
import { holdUntilTurnEnds } from './write-batching.ts';

interface SocketOptions {
  /** Unread output past which a socket is closed (1009). */
  maxBufferedBytes: number;
  /** A ping every so often; a peer that has not answered one by the next is dropped. */
  keepAliveMs: number;
  /** Whether a 4500's reason may say what failed. */
  production: boolean;
  logger: Logger;
}

/** Serves `socket` with graphql-ws until it closes; `extra` is graphql-ws's `ctx.extra` for it. */
export function serveSocket<E>(server: Server<E>, socket: GatewaySocket, upgrade: IncomingMessage, extra: E, options: SocketOptions): void {
  // ws closes the socket itself (1002, 1007, 1009 ...) on a frame it cannot take: a client's mistake, no alarm.
  socket.on('error', (error) => options.logger.debug({ err: error.message }, 'WebSocket client error'));
  const stopPings = keepAlive(socket, options.keepAliveMs);
  const checkUnread = unreadOutputLimit(socket, options.maxBufferedBytes);
  const tcp = upgrade.socket;
  const beforeInit = limitBeforeInit(socket, tcp);
  const mayPong = limitPings(socket, tcp);
  const send = (message: string) =>
    new Promise<void>((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      if (isAckMessage(message)) beforeInit.acknowledged();
      // The events of a turn leave in one write. Other frames start no hold: graphql-ws awaits
      // their write before it lets an operation's id go. They queue behind held events, in order.
      if (isNextMessage(message)) holdUntilTurnEnds(tcp);
      // A write cut short by the socket's closing is no failure: the close ends what it was for.
      socket.send(message, (error) => (error && socket.readyState === socket.OPEN ? reject(error) : resolve()));
      checkUnread();
    });
  const closed = server.opened(
    {
      protocol: socket.protocol,
      send,
      close: (code, reason) => socket.close(code, reason),
      onMessage(handle) {
        socket.on('message', (data) => {
          handle(String(data)).catch((error: unknown) => failed(socket, error, options));
        });
      },
      // Answered here rather than by graphql-ws, which echoes any payload.
      onPing: (payload) => (mayPong() ? send(pongFor(payload)) : undefined),
    },
    extra,
  );
  socket.once('close', (code, reason) => {
    stopPings();
    closed(code, String(reason)).catch((error: unknown) => options.logger.error({ err: error }, 'graphql-ws failed to end the operations of a closed socket'));
  });
}

/** The gateway's own failure while serving a socket: logged, and the socket closed with 4500. */
export function failed(socket: GatewaySocket, error: unknown, options: Pick<SocketOptions, 'production' | 'logger'>): void {
  options.logger.error({ err: error }, 'graphql-ws failed to handle a message');
  const detail = error instanceof Error ? error.message : String(error);
  socket.close(CloseCode.InternalServerError, options.production ? 'Internal server error' : detail);
}

function keepAlive(socket: GatewaySocket, everyMs: number): () => void {
  if (!(everyMs > 0) || !Number.isFinite(everyMs)) return () => undefined;
  let answered = true;
  socket.on('pong', () => (answered = true));
  const timer = setInterval(() => {
    if (socket.readyState !== socket.OPEN) return;
    if (!answered) return socket.terminate();
    answered = false;
    socket.ping();
  }, everyMs);
  return () => clearInterval(timer);
}
