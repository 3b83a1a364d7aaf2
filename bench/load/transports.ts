// The ways a stream reaches the bench: TGI's own SSE (direct, and the floor's
// pass-through), GraphQL over SSE, and graphql-ws on one socket per stream or
// multiplexed on a few. Each turns its events into the same StreamRecord calls.
import { tgiBody, type GenerationInput } from '../lib/tgi-body.ts';
import { GENERATE_STREAM } from '../soak/stream.ts';
import { closeIdleSockets, postSse } from './sse-client.ts';
import type { StreamRecord } from './stream-record.ts';
import { GraphqlWsSocket, type Subscriber } from './ws-client.ts';

export type TransportKind = 'tgi-sse' | 'gql-sse' | 'ws';

export interface Transport {
  /** Opens what must be open before the first stream starts (the WebSockets). */
  connect(): Promise<void>;
  start(slot: number, input: GenerationInput, record: StreamRecord): void;
  close(): void;
}

/** Handshakes at once: more would overflow the listen backlog and cost SYN retries (seconds). */
const CONNECT_CONCURRENCY = 200;

interface Event {
  token: { text: string };
  generatedText: string | null;
}
type Payload = { data?: { generateStream?: Event }; errors?: { message: string; extensions?: { code?: string } }[] };

/** A GraphQL payload of generateStream, from either GraphQL transport. */
function onPayload(record: StreamRecord, payload: Payload, at: number): void {
  const event = payload.data?.generateStream;
  if (payload.errors !== undefined || event === undefined) {
    const error = payload.errors?.[0];
    record.fail(`GraphQL error ${error?.extensions?.code ?? ''}: ${error?.message ?? 'no data'}`);
  } else record.token(event.token.text, at, event.generatedText);
}

function variables(modelId: string, input: GenerationInput) {
  return { input: { modelId, prompt: input.prompt, maxNewTokens: input.maxNewTokens, seed: input.seed } };
}

export function createTransport(kind: TransportKind, url: string, slots: number, socketCount: number, modelId: string): Transport {
  const base = new URL(url);
  if (kind === 'tgi-sse') {
    return {
      connect: async () => {},
      start(_slot, input, record) {
        record.sentAt = performance.now();
        postSse(base, '/generate_stream', tgiBody(input), {}, {
          event: ({ data }, at) => {
            const event = JSON.parse(data) as { token?: { text: string }; generated_text: string | null; error?: string };
            if (event.error !== undefined || event.token === undefined) record.fail(`TGI error: ${event.error}`);
            else record.token(event.token.text, at, event.generated_text);
          },
          end: (error) => (error === undefined ? record.complete() : record.fail(error)),
        });
      },
      close: closeIdleSockets,
    };
  }
  if (kind === 'gql-sse') {
    return {
      connect: async () => {},
      start(_slot, input, record) {
        const body = JSON.stringify({ query: GENERATE_STREAM, variables: variables(modelId, input) });
        record.sentAt = performance.now();
        postSse(base, '/graphql', body, { accept: 'text/event-stream' }, {
          event: ({ event, data }, at) => {
            if (event === 'next') onPayload(record, JSON.parse(data) as Payload, at);
            else if (event === 'complete') record.complete();
          },
          end: (error) => (error === undefined ? record.complete() : record.fail(error)),
        });
      },
      close: closeIdleSockets,
    };
  }
  const wsUrl = `${url.replace(/^http/, 'ws')}/graphql`;
  const sockets: GraphqlWsSocket[] = [];
  return {
    async connect() {
      const count = socketCount === 0 ? slots : socketCount;
      let next = 0;
      const opener = async () => {
        for (let i = next++; i < count; i = next++) sockets[i] = await GraphqlWsSocket.open(wsUrl);
      };
      await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, opener));
    },
    start(slot, input, record) {
      const socket = sockets[slot % sockets.length]!;
      const subscriber: Subscriber = {
        next: (payload, at) => onPayload(record, payload as Payload, at),
        error: (reason) => record.fail(reason),
        complete: () => record.complete(),
      };
      record.sentAt = performance.now();
      socket.subscribe(String(record.index), GENERATE_STREAM, variables(modelId, input), subscriber);
    },
    close() {
      for (const socket of sockets) socket.terminate();
    },
  };
}
