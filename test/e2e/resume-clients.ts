// Clients that lose their transport on purpose: a graphql-ws socket destroyed
// (no close frame, as a phone changing network) or an SSE request aborted,
// after a given number of payloads. What they received is returned, so a test
// can resume from the last index it holds.
import WebSocket from 'ws';
import type { TypedDocumentString } from '../gql/graphql.ts';
import { collectSse, type Result } from './clients.ts';

export interface Received<T> {
  payloads: Result<T>[];
  /** The server completed the subscription before the drop. */
  completed: boolean;
}

/**
 * Subscribes over graphql-ws on a socket of its own and destroys the socket
 * once `dropAfter` payloads arrived (never, when the stream ends first).
 */
export async function wsUntilDrop<T, V>(
  wsUrl: string,
  document: TypedDocumentString<T, V>,
  variables: V,
  options: { dropAfter?: number; connectionParams?: Record<string, unknown> } = {},
): Promise<Received<T>> {
  const dropAfter = options.dropAfter ?? Number.POSITIVE_INFINITY;
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  const payloads: Result<T>[] = [];
  return new Promise((resolve, reject) => {
    let completed = false;
    const done = () => {
      socket.terminate();
      resolve({ payloads, completed });
    };
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: options.connectionParams })));
    socket.on('close', () => resolve({ payloads, completed }));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
      if (message.type === 'connection_ack') {
        if (dropAfter === 0) return done();
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: document.toString(), variables } }));
      } else if (message.type === 'next') {
        payloads.push(message.payload as Result<T>);
        if (payloads.length >= dropAfter) done();
      } else if (message.type === 'error') {
        payloads.push({ errors: message.payload as Result<T>['errors'] });
        done();
      } else if (message.type === 'complete') {
        completed = true;
        done();
      }
    });
  });
}

/** Subscribes over GraphQL over SSE and aborts the request once `dropAfter` payloads arrived. */
export async function sseUntilDrop<T, V>(
  url: string,
  document: TypedDocumentString<T, V>,
  variables: V,
  options: { dropAfter?: number; headers?: Record<string, string> } = {},
): Promise<Received<T>> {
  const controller = new AbortController();
  const dropAfter = options.dropAfter ?? Number.POSITIVE_INFINITY;
  return collectSse(url, document, variables, {
    signal: controller.signal,
    headers: options.headers,
    onPayload: (_payload, index) => {
      if (index + 1 >= dropAfter) controller.abort();
    },
  });
}
