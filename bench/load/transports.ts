// The ways a stream reaches the bench: TGI's own SSE (direct, and the floor's
// pass-through), GraphQL over SSE, and graphql-ws on one socket per stream or
// multiplexed on a few; for chat, `/v1/chat/completions` SSE (direct, and the
// floor's pass-through), the gateway's own `/v1/chat/completions` (the same SSE,
// asked under the gateway's model id) and chatStream over graphql-ws. Each turns its events
// into the same StreamRecord calls; a chat stream's tokens are its non-empty
// content deltas.
import { chatBody, chatInput } from '../lib/chat-body.ts';
import { tgiBody, type GenerationInput } from '../lib/tgi-body.ts';
import { GENERATE_STREAM } from '../soak/stream.ts';
import { closeIdleSockets, postSse } from './sse-client.ts';
import type { StreamRecord } from './stream-record.ts';
import { GraphqlWsSocket, type Subscriber } from './ws-client.ts';

export type TransportKind = 'tgi-sse' | 'gql-sse' | 'ws' | 'chat-sse' | 'v1-sse' | 'chat-ws';

export const CHAT_STREAM = 'subscription($input: ChatInput!) { chatStream(input: $input) { index delta } }';

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
type GraphqlErrors = { message: string; extensions?: { code?: string } }[];
type Payload = { data?: { generateStream?: Event }; errors?: GraphqlErrors };
type ChatPayload = { data?: { chatStream?: { delta: string } }; errors?: GraphqlErrors };
type ChatChunk = { choices?: { delta?: { content?: string | null } }[]; error?: unknown };

/** A GraphQL payload of generateStream, from either GraphQL transport. */
function onPayload(record: StreamRecord, payload: Payload, at: number): void {
  const event = payload.data?.generateStream;
  if (payload.errors !== undefined || event === undefined) {
    const error = payload.errors?.[0];
    record.fail(`GraphQL error ${error?.extensions?.code ?? ''}: ${error?.message ?? 'no data'}`);
  } else record.token(event.token.text, at, event.generatedText);
}

/** A GraphQL payload of chatStream: a delta, or an error. */
function onChatPayload(record: StreamRecord, payload: ChatPayload, at: number): void {
  const event = payload.data?.chatStream;
  if (payload.errors !== undefined || event === undefined) {
    const error = payload.errors?.[0];
    record.fail(`GraphQL error ${error?.extensions?.code ?? ''}: ${error?.message ?? 'no data'}`);
  } else if (event.delta !== '') record.token(event.delta, at, null);
}

function variables(modelId: string, input: GenerationInput) {
  return { input: { modelId, prompt: input.prompt, maxNewTokens: input.maxNewTokens, seed: input.seed } };
}

/**
 * `chatModel`: the `model` of a direct `/v1/chat/completions` body (see lib/chat-body.ts);
 * the chatStream runs send `modelId`, and the proxy names the upstream model itself; so does
 * the gateway's `/v1/chat/completions` (`v1-sse`), whose `model` is the gateway's id.
 */
export function createTransport(kind: TransportKind, url: string, slots: number, socketCount: number, modelId: string, chatModel: string): Transport {
  const base = new URL(url);
  if (kind === 'chat-sse' || kind === 'v1-sse') {
    const model = kind === 'v1-sse' ? modelId : chatModel;
    return {
      connect: async () => {},
      start(_slot, input, record) {
        record.sentAt = performance.now();
        postSse(base, '/v1/chat/completions', chatBody(chatInput(modelId, input), model, true), {}, {
          event: ({ data }, at) => {
            if (data === '[DONE]') return record.finish();
            const chunk = JSON.parse(data) as ChatChunk;
            if (chunk.error !== undefined) return record.fail(`chat error: ${JSON.stringify(chunk.error).slice(0, 200)}`);
            const delta = chunk.choices?.[0]?.delta?.content;
            if (typeof delta === 'string' && delta !== '') record.token(delta, at, null);
          },
          // Ended without `[DONE]`: lost (a no-op after it).
          end: (error) => (error === undefined ? record.complete() : record.fail(error)),
        });
      },
      close: closeIdleSockets,
    };
  }
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
      const subscriber: Subscriber = kind === 'chat-ws'
        ? {
          next: (payload, at) => onChatPayload(record, payload as ChatPayload, at),
          error: (reason) => record.fail(reason),
          complete: () => record.finish(),
        }
        : {
          next: (payload, at) => onPayload(record, payload as Payload, at),
          error: (reason) => record.fail(reason),
          complete: () => record.complete(),
        };
      record.sentAt = performance.now();
      if (kind === 'chat-ws') socket.subscribe(String(record.index), CHAT_STREAM, { input: chatInput(modelId, input) }, subscriber);
      else socket.subscribe(String(record.index), GENERATE_STREAM, variables(modelId, input), subscriber);
    },
    close() {
      for (const socket of sockets) socket.terminate();
    },
  };
}
