// Test clients over the three transports, taking the typed documents that
// codegen produces from test/operations/*.graphql.
import { createClient, type Client } from 'graphql-ws';
import { createParser } from 'eventsource-parser';
import WebSocket from 'ws';
import type { TypedDocumentString } from '../gql/graphql.ts';

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; field?: string; retryAfterSeconds?: number; requestId?: string };
}

export interface Result<T> {
  data?: T | null;
  errors?: GraphQLErrorShape[];
}

/** GraphQL over HTTP POST. */
export async function post<T, V>(
  url: string,
  document: TypedDocumentString<T, V>,
  variables?: V,
  init: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<Result<T> & { status: number }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...init.headers },
    body: JSON.stringify({ query: document.toString(), variables }),
    signal: init.signal,
  });
  return { status: res.status, ...((await res.json()) as Result<T>) };
}

export function wsClient(wsUrl: string, options: { keepOpenMs?: number; connectionParams?: Record<string, unknown> } = {}): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    lazyCloseTimeout: options.keepOpenMs ?? 0,
    connectionParams: options.connectionParams,
  });
}

/** Every payload of a subscription over graphql-ws, until it completes. */
export async function collectWs<T, V>(client: Client, document: TypedDocumentString<T, V>, variables: V): Promise<Result<T>[]> {
  const payloads: Result<T>[] = [];
  for await (const payload of client.iterate({ query: document.toString(), variables: variables as Record<string, unknown> })) {
    payloads.push(payload as Result<T>);
  }
  return payloads;
}

/** A subscription over GraphQL-over-SSE (yoga's distinct-connections mode); `onPayload` may abort. */
export async function collectSse<T, V>(
  url: string,
  document: TypedDocumentString<T, V>,
  variables: V,
  options: { signal?: AbortSignal; onPayload?: (payload: Result<T>, index: number) => void; headers?: Record<string, string> } = {},
): Promise<{ payloads: Result<T>[]; completed: boolean }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...options.headers },
    body: JSON.stringify({ query: document.toString(), variables }),
    signal: options.signal,
  });
  const payloads: Result<T>[] = [];
  let completed = false;
  const parser = createParser({
    onEvent: (event) => {
      // Aborted on a payload: the rest of the chunk that carried it was never read by the client.
      if (options.signal?.aborted) return;
      if (event.event === 'complete') completed = true;
      else if (event.event === 'next') {
        const payload = JSON.parse(event.data) as Result<T>;
        payloads.push(payload);
        options.onPayload?.(payload, payloads.length - 1);
      }
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  } catch (error) {
    if (!options.signal?.aborted) throw error;
  }
  return { payloads, completed };
}
