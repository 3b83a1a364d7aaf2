// The floor: the thinnest pass-through Node can be between a client and TGI,
// measured in the same run as the gateway so that "the gateway costs 1.4× the
// floor" compares it with the least any Node proxy on this machine could cost.
//
//   node bench/floor-proxy.ts --upstream http://127.0.0.1:PORT[,http://127.0.0.1:PORT2...] [--port N] [--chat-model NAME]
//
// Several upstreams are taken in turn, one request each (round-robin): the
// floor of routing, which knows nothing of the replicas' load or caches.
//
// What it does:
// - POST /generate, POST /generate_stream and POST /v1/chat/completions: the request
//   body goes upstream with the same bytes and content-type, the answer comes back
//   with its status, content-type and the same bytes: whole for /generate, chunk by
//   chunk as they arrive for the others (SSE).
// - generateStream and chatStream over GraphQL SSE (POST /graphql, accept:
//   text/event-stream) and over graphql-ws (graphql-transport-ws on /graphql): a
//   GraphQL-shaped wrapper, only so that those runs use the client protocol the
//   gateway's runs use. It reads `variables.input`: one with `messages` is a
//   chatStream, any other a generateStream (the document is not read).
//   - generateStream: sends TGI the body the gateway would (lib/tgi-body.ts), and
//     re-frames each TGI event as `{data: {generateStream: {index, token {text}, generatedText}}}`.
//   - chatStream: sends `/v1/chat/completions` (TGI's Messages API, or an
//     OpenAI-compatible server's) the streamed body the gateway would
//     (lib/chat-body.ts, with `model` = --chat-model, 'tgi' by default), and
//     re-frames each content delta as `{data: {chatStream: {index, delta}}}`,
//     index from 1; role-only, empty and usage chunks are skipped, `[DONE]` completes.
// - A client that leaves (connection closed, graphql-ws `complete`, socket closed)
//   aborts its upstream request: undici destroys that socket, as the gateway does.
// What it does not do: parse, validate or execute GraphQL (the document is ignored
// and the selection is fixed), check the input, know models, probe health, retry,
// time out, limit, authenticate, log, count, or wait for a slow client (no
// back-pressure on graphql-ws); TGI errors pass as a status (HTTP) or as one
// generic error (wrappers). It reads LF-framed `data:` events only, as TGI and vLLM send.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool, type Dispatcher } from 'undici';
import { WebSocketServer, type WebSocket } from 'ws';
import { chatBody, type ChatInputVariables } from './lib/chat-body.ts';
import { tgiBody } from './lib/tgi-body.ts';

const { values } = parseArgs({
  options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' }, 'chat-model': { type: 'string', default: 'tgi' } },
});
const chatModel = values['chat-model'];
if (values.upstream === undefined) throw new Error('--upstream is required');
// No cap on connections: TGI needs one per concurrent generation, and a floor queues nothing.
const pools = values.upstream.split(',').map((upstream) => new Pool(upstream, { connections: null, headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 30_000 }));
let turn = 0;

interface Sink {
  start(status: number, contentType: string): void;
  data(chunk: Buffer): void;
  end(): void;
  fail(): void;
}

/**
 * One upstream request on undici's lowest level (dispatch with a handler: no stream
 * objects, no promise per request). Returns what aborts it: undici then destroys
 * the socket, which is how TGI learns that the client left.
 */
function forward(path: string, body: Buffer | string, sink: Sink): () => void {
  let controller: Dispatcher.DispatchController | undefined;
  let aborted = false;
  const pool = pools[turn++ % pools.length]!;
  pool.dispatch({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body }, {
    onRequestStart(c) {
      controller = c;
      if (aborted) c.abort(new Error('the client left'));
    },
    onResponseStart: (_c, status, headers) => sink.start(status, String(headers['content-type'] ?? 'application/octet-stream')),
    onResponseData: (_c, chunk) => sink.data(chunk),
    onResponseEnd: () => sink.end(),
    onResponseError: () => aborted || sink.fail(),
  });
  return () => {
    aborted = true;
    controller?.abort(new Error('the client left'));
  };
}

interface TgiEvent {
  index: number;
  token: { text: string };
  generated_text: string | null;
  error?: string;
}
interface Relay {
  next(payload: string): void;
  complete(): void;
  fail(): void;
}

/**
 * One upstream SSE stream for a wrapper: each event's `data` goes to `onData`,
 * which relays it and may end the relay (`end`, once). Returns what aborts it.
 */
function relayEvents(path: string, body: string, out: Relay, onData: (data: string, end: (how: () => void) => void) => void): () => void {
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  const end = (how: () => void) => {
    if (!ended) how();
    ended = true;
  };
  return forward(path, body, {
    start: (status) => status === 200 || end(out.fail),
    data: (chunk) => {
      if (ended) return;
      buffer += decoder.decode(chunk, { stream: true });
      for (let at = buffer.indexOf('\n\n'); at !== -1 && !ended; at = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (block.startsWith('data:')) onData(block.slice(5).trim(), end); // else a keep-alive comment
      }
    },
    end: () => end(out.fail), // a no-op after the final event
    fail: () => end(out.fail),
  });
}

/** One TGI stream for a wrapper: TGI events in, GraphQL payloads out. Returns what aborts it. */
function relayStream(input: { prompt: string; maxNewTokens?: number; seed?: number }, out: Relay): () => void {
  const body = tgiBody({ prompt: input.prompt, maxNewTokens: input.maxNewTokens ?? 200, seed: input.seed });
  return relayEvents('/generate_stream', body, out, (data, end) => {
    const event = JSON.parse(data) as TgiEvent;
    if (event.error !== undefined) return end(out.fail);
    out.next(`{"data":{"generateStream":{"index":${event.index},"token":{"text":${JSON.stringify(event.token.text)}},"generatedText":${JSON.stringify(event.generated_text)}}}}`);
    if (event.generated_text !== null) end(out.complete);
  });
}

interface ChatChunk {
  choices?: { delta?: { content?: string | null } }[];
  error?: unknown;
}

/** One chat stream for a wrapper: `/v1/chat/completions` chunks in, chatStream payloads out. Returns what aborts it. */
function relayChat(input: ChatInputVariables, out: Relay): () => void {
  let index = 0;
  return relayEvents('/v1/chat/completions', chatBody(input, chatModel, true), out, (data, end) => {
    if (data === '[DONE]') return end(out.complete);
    const event = JSON.parse(data) as ChatChunk;
    if (event.error !== undefined) return end(out.fail);
    const delta = event.choices?.[0]?.delta?.content;
    if (typeof delta === 'string' && delta !== '') {
      index += 1;
      out.next(`{"data":{"chatStream":{"index":${index},"delta":${JSON.stringify(delta)}}}}`);
    }
  });
}

type WrapperInput = { prompt: string } | ChatInputVariables;

/** The wrapper's one decision: a chatStream input has messages, a generateStream input a prompt. */
function relayAny(input: WrapperInput, out: Relay): () => void {
  return 'messages' in input ? relayChat(input, out) : relayStream(input, out);
}

/** Reads a request body whole (a prompt is one or a few chunks), then hands it on. */
function readBody(req: IncomingMessage, then: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => then(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
}

function passThrough(req: IncomingMessage, res: ServerResponse, path: string): void {
  readBody(req, (body) => {
    const parts: Buffer[] = [];
    let status = 502;
    let type = '';
    const abort = forward(path, body, {
      start: (code, contentType) => {
        status = code;
        type = contentType;
        if (path === '/generate') return;
        // A stream: headers now, then each chunk the moment it arrives.
        res.writeHead(code, { 'content-type': contentType, 'cache-control': 'no-cache' });
        res.flushHeaders();
      },
      data: (chunk) => (path === '/generate' ? parts.push(chunk) : res.write(chunk)),
      end: () => {
        if (path !== '/generate') return void res.end();
        // One answer: relayed whole, with its length, in one write.
        const answer = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        res.writeHead(status, { 'content-type': type, 'content-length': answer.length }).end(answer);
      },
      fail: () => (res.headersSent ? res.destroy() : res.writeHead(502).end()),
    });
    res.once('close', () => res.writableFinished || abort());
  });
}

function graphqlSse(req: IncomingMessage, res: ServerResponse): void {
  readBody(req, (body) => {
    const { variables } = JSON.parse(body.toString('utf8')) as { variables: { input: WrapperInput } };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const abort = relayAny(variables.input, {
      next: (payload) => res.write(`event: next\ndata: ${payload}\n\n`),
      complete: () => res.end('event: complete\ndata:\n\n'),
      fail: () => res.end(`event: next\ndata: {"errors":[{"message":"upstream failed"}]}\n\nevent: complete\ndata:\n\n`),
    });
    res.once('close', () => res.writableFinished || abort());
  });
}

/** graphql-transport-ws, the messages a subscription needs and nothing more. */
function graphqlWs(socket: WebSocket): void {
  const running = new Map<string, () => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: { variables: { input: WrapperInput } } };
    const id = message.id ?? '';
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'ping') socket.send('{"type":"pong"}');
    else if (message.type === 'complete') {
      running.get(id)?.();
      running.delete(id);
    } else if (message.type === 'subscribe' && message.payload !== undefined) {
      const quoted = JSON.stringify(id);
      const abort = relayAny(message.payload.variables.input, {
        next: (payload) => socket.send(`{"id":${quoted},"type":"next","payload":${payload}}`),
        complete: () => {
          running.delete(id);
          socket.send(`{"id":${quoted},"type":"complete"}`);
        },
        fail: () => {
          running.delete(id);
          socket.send(`{"id":${quoted},"type":"error","payload":[{"message":"upstream failed"}]}`);
        },
      });
      running.set(id, abort);
    }
  });
  socket.on('error', () => socket.terminate());
  socket.on('close', () => {
    for (const abort of running.values()) abort();
    running.clear();
  });
}

const server = createServer((req, res) => {
  const path = req.url ?? '/';
  if (req.method === 'POST' && (path === '/generate' || path === '/generate_stream' || path === '/v1/chat/completions')) passThrough(req, res, path);
  else if (req.method === 'POST' && path === '/graphql' && req.headers.accept === 'text/event-stream') graphqlSse(req, res);
  else res.writeHead(404).end();
});
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false),
});
wss.on('connection', graphqlWs);
server.on('upgrade', (req, socket, head) => {
  if (req.url === '/graphql') wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  else socket.destroy();
});
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  if (process.send) {
    // Started by the bench: end with it.
    process.on('disconnect', () => process.exit(0));
    process.send({ type: 'ready', url });
  } else console.log(`floor proxy at ${url} → ${values.upstream}`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
