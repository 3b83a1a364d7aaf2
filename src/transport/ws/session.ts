// What the gateway keeps of one socket (graphql-ws's ctx.extra): its caller,
// once connection_init named one, and its running operations, each by its one
// signal. They count against WS_MAX_OPERATIONS until they end and all end at
// once when the socket starts to close; a socket with none running for the
// idle time is closed.
import type { IncomingMessage } from 'node:http';
import type { SubscribePayload } from 'graphql-ws';
import type { Caller } from '../../access/caller.ts';
import type { OperationSignal } from '../common/operation-signal.ts';
import type { GatewaySocket } from './gateway-socket.ts';

export class Session {
  readonly socket: GatewaySocket;
  /** The HTTP request that opened the socket. */
  readonly upgrade: IncomingMessage;
  /** Set by an accepted connection_init. */
  caller: Caller | undefined;
  /** By the payload of the subscribe message that started each: an id may be taken again while its operation ends. */
  readonly #running = new Map<SubscribePayload, OperationSignal>();
  readonly #idle: NodeJS.Timeout;

  constructor(socket: GatewaySocket, upgrade: IncomingMessage, idleMs: number) {
    this.socket = socket;
    this.upgrade = upgrade;
    // Fired while something runs, it waits: the last operation to end re-arms it.
    this.#idle = setTimeout(() => this.#running.size === 0 && socket.close(1000, 'idle'), idleMs);
    const endAll = () => this.#endAll();
    socket.closing.addEventListener('abort', endAll, { once: true });
    socket.once('close', endAll);
  }

  get running(): number {
    return this.#running.size;
  }

  started(payload: SubscribePayload, operation: OperationSignal): void {
    this.#running.set(payload, operation);
  }

  /** The operation is over (or its client completed it): it no longer counts. */
  ended(payload: SubscribePayload): void {
    if (this.#running.delete(payload) && this.#running.size === 0) this.#idle.refresh();
  }

  /** The socket is closing: the client of every operation is gone. */
  #endAll(): void {
    clearTimeout(this.#idle);
    for (const operation of this.#running.values()) operation.clientGone('socketClosed');
    this.#running.clear();
  }
}
