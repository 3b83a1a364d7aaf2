// Every operation gets one AbortSignal, made where its request or subscribe
// message arrives. Resolvers see it as ctx.signal and the generation service
// chains its upstream request to it: when it fires, the model server sees its
// client leave. It fires only when the client is gone, and its reason says how.
import type { ServerResponse } from 'node:http';
import { CONNECTION_DROPPED, SOCKET_CLOSED } from '../../lib/transport-lost.ts';

/** How a client left its operation. */
type ClientGone = 'hungUp' | 'socketClosed' | 'completed';

const REASONS: Readonly<Record<ClientGone, DOMException>> = {
  hungUp: CONNECTION_DROPPED,
  socketClosed: SOCKET_CLOSED,
  completed: new DOMException('the client completed the operation', 'AbortError'),
};

/** Whether `reason` is an operation signal's: its client left, which is no failure of anyone's. */
export function isClientGone(reason: unknown): boolean {
  return Object.values(REASONS).includes(reason as DOMException);
}

/** An operation's signal, fired once: the first way its client left is the reason. */
export class OperationSignal {
  readonly #controller = new AbortController();
  readonly signal: AbortSignal = this.#controller.signal;

  clientGone(how: ClientGone): void {
    this.#controller.abort(REASONS[how]);
  }
}

/**
 * The signal of the operation an HTTP request carries: it fires when the
 * client hangs up before its response is finished, while its body is still
 * being read included. A connection closing after the response is no hang-up.
 */
export function hangUpSignal(res: ServerResponse): AbortSignal {
  const operation = new OperationSignal();
  res.once('close', () => {
    if (!res.writableEnded) operation.clientGone('hungUp');
  });
  return operation.signal;
}
