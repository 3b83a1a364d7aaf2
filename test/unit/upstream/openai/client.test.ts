// OpenAIClient against a tiny OpenAI-compatible server on 127.0.0.1, written here.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAIClient, type OpenAIClientOptions } from '../../../../src/upstream/openai/client.ts';
import { UpstreamError } from '../../../../src/upstream/errors.ts';
import type { ChatRequest, CompletionRequest } from '../../../../src/upstream/types.ts';
import { drain, sse } from './streams.ts';

const KEY = 'sk-test-7f3a9c';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

const MODELS = { object: 'list', data: [{ id: 'served/model', object: 'model', owned_by: 'vllm', max_model_len: 4096 }] };

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};
const events = (res: ServerResponse, text: string) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(text);
};

const completion = (text: string, finish: string | null, extra: object = {}) => ({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'served/model', choices: [{ index: 0, text, logprobs: null, finish_reason: finish, stop_reason: null, ...extra }] });
const chatChunk = (delta: object, finish: string | null = null) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'served/model', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
const usage = (p: number, c: number) => ({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c });

const PROMPT: CompletionRequest = { prompt: 'Hello', parameters: { maxNewTokens: 2, seed: 18446744073709551615n } };
const CHAT: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }], parameters: { maxNewTokens: 4 } };
const signal = () => AbortSignal.timeout(5000);

describe('OpenAIClient', () => {
  const open: { server: Server; client: OpenAIClient }[] = [];
  afterEach(async () => {
    for (const { server, client } of open.splice(0)) {
      await client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** A server answering with `routes[METHOD path]`, and a client to it; `seen` lists every request. */
  async function serve(routes: Record<string, Handler>, options: Partial<OpenAIClientOptions> = {}, path = '') {
    const seen: Seen[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        seen.push(request);
        const handler = routes[`${request.method} ${request.url}`];
        if (handler) void handler(request, res);
        else json(res, 404, { detail: 'Not Found' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const client = new OpenAIClient(`http://127.0.0.1:${address.port}${path}`, { connectTimeoutMs: 1000, apiKey: KEY, ...options });
    open.push({ server, client });
    return { client, seen, server };
  }

  const withModels = (routes: Record<string, Handler>): Record<string, Handler> => ({ 'GET /v1/models': (_q, res) => json(res, 200, MODELS), ...routes });

  describe('health', () => {
    it('is healthy on a 200 from /health and from a route the key guards, sending the bearer key to both', async () => {
      const { client, seen } = await serve(withModels({ 'GET /health': (_q, res) => void res.end() }));
      expect(await client.health(signal())).toMatchObject({ healthy: true });
      expect(seen.map((r) => [r.url, r.headers.authorization])).toEqual([['/health', `Bearer ${KEY}`], ['/v1/models', `Bearer ${KEY}`]]);
    });

    it('is unhealthy, naming upstream authentication, when /health is public but the key is refused', async () => {
      const { client } = await serve({
        'GET /health': (_q, res) => void res.end(),
        'GET /v1/models': (_q, res) => json(res, 401, { error: 'Unauthorized' }),
      });
      const probe = await client.health(signal());
      expect(probe).toMatchObject({ healthy: false });
      expect(probe.healthy ? '' : probe.error).toMatch(/^upstream authentication failed \(HTTP 401: Unauthorized\)/);
    });

    it('falls back to /v1/models where there is no /health (Ollama)', async () => {
      const { client, seen } = await serve({
        'GET /health': (_q, res) => {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('404 page not found');
        },
        'GET /v1/models': (_q, res) => json(res, 200, MODELS),
      });
      expect(await client.health(signal())).toMatchObject({ healthy: true });
      expect(seen.map((r) => [r.url, r.headers.authorization])).toEqual([['/health', `Bearer ${KEY}`], ['/v1/models', `Bearer ${KEY}`]]);
    });

    it("is unhealthy with the server's reason while it loads (llama.cpp's 503)", async () => {
      const { client } = await serve({ 'GET /health': (_q, res) => json(res, 503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } }) });
      expect(await client.health(signal())).toMatchObject({ healthy: false, error: 'HTTP 503: Loading model' });
    });

    it('never shows the key, even when the server repeats it', async () => {
      const { client } = await serve({ 'GET /health': (q, res) => json(res, 401, { error: { message: `bad header ${String(q.headers.authorization)}` } }) });
      const health = await client.health(signal());
      expect(health).toMatchObject({ healthy: false, error: expect.stringContaining('upstream authentication failed (HTTP 401: bad header Bearer [redacted])') });
      expect(JSON.stringify(health)).not.toContain(KEY);
    });

    it('sends no Authorization without a key, and accepts a base URL ending in /v1', async () => {
      const { client, seen } = await serve({ 'GET /health': (_q, res) => void res.end() }, { apiKey: undefined }, '/v1');
      expect(await client.health(signal())).toMatchObject({ healthy: true });
      expect(seen[0]?.url).toBe('/health');
      expect(seen[0]?.headers).not.toHaveProperty('authorization');
    });

    it('names no error code when nothing listens', async () => {
      const { client, server } = await serve({});
      await new Promise((resolve) => server.close(resolve));
      const health = await client.health(signal());
      expect(health).toEqual({ healthy: false, latencyMs: null, error: 'cannot connect: connection refused' });
    });
  });

  describe('limits', () => {
    it('reads /v1/models', async () => {
      const { client } = await serve(withModels({}), { connections: 8 });
      expect(await client.serverLimits(signal())).toMatchObject({ modelId: 'served/model', maxInputTokens: 4095, maxTotalTokens: 4096, dialect: { serverKind: 'vLLM' } });
    });

    it('is an http failure when the key is refused', async () => {
      const { client } = await serve({ 'GET /v1/models': (_q, res) => json(res, 401, { error: 'Unauthorized' }) });
      await expect(client.serverLimits(signal())).rejects.toMatchObject({ failure: { kind: 'http', status: 401, errorType: null, message: 'Unauthorized' } });
    });
  });

  describe('generate', () => {
    it("reads llama.cpp's request-tied 500 as such, its message cleaned of the key", async () => {
      const { client } = await serve({
        'POST /v1/completions': (q, res) => json(res, 500, { error: { code: 500, message: `context shift is disabled (${String(q.headers.authorization)})`, type: 'server_error' } }),
      }, { upstreamModel: 'm' });
      const failure = await client.generate(PROMPT, { signal: signal() }).then(() => null, (e: { failure: unknown }) => e.failure);
      expect(failure).toMatchObject({ kind: 'http', status: 500, errorType: 'request', message: 'context shift is disabled (Bearer [redacted])' });
      expect(JSON.stringify(failure)).not.toContain(KEY);
    });

    it('leaves any other 500 the replica\'s', async () => {
      const { client } = await serve({ 'POST /v1/completions': (_q, res) => json(res, 500, { error: { code: 500, message: 'CUDA error', type: 'server_error' } }) }, { upstreamModel: 'm' });
      await expect(client.generate(PROMPT, { signal: signal() })).rejects.toMatchObject({ failure: { kind: 'http', status: 500, errorType: null } });
    });

    it('asks /v1/models once for the served name when generations come first', async () => {
      const { client, seen } = await serve(withModels({
        'POST /v1/completions': (_q, res) => json(res, 200, { ...completion(' world', 'length'), usage: usage(1, 2) }),
      }));
      const outputs = await Promise.all([1, 2, 3].map(() => client.generate(PROMPT, { signal: signal() })));
      expect(outputs[0]).toEqual({ generatedText: ' world', details: { finishReason: 'LENGTH', generatedTokens: 2, seed: null }, usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } });
      expect(seen.filter((r) => r.url === '/v1/models')).toHaveLength(1);
      const sent = seen.filter((r) => r.url === '/v1/completions');
      expect(sent).toHaveLength(3);
      expect(sent[0]?.body).toBe('{"model":"served/model","prompt":"Hello","max_tokens":2,"seed":18446744073709551615,"stream":false}');
      expect(sent.every((r) => r.headers.authorization === `Bearer ${KEY}` && r.headers['content-type'] === 'application/json')).toBe(true);
    });

    it('uses the configured model name without asking, and a caller cannot replace the key', async () => {
      const { client, seen } = await serve({ 'POST /v1/completions': (_q, res) => json(res, 200, { ...completion('!', 'stop'), usage: usage(1, 1) }) }, { upstreamModel: 'mine' });
      await client.generate({ prompt: 'Q:', parameters: { returnFullText: true } }, { signal: signal(), headers: { Authorization: 'Bearer other', 'x-request-id': 'r1' } });
      expect(seen.map((r) => r.url)).toEqual(['/v1/completions']);
      expect(JSON.parse(seen[0]!.body)).toMatchObject({ model: 'mine' });
      expect(seen[0]?.headers).toMatchObject({ authorization: `Bearer ${KEY}`, 'x-request-id': 'r1' });
    });

    it('puts the prompt before the text for returnFullText', async () => {
      const { client } = await serve({ 'POST /v1/completions': (_q, res) => json(res, 200, { ...completion(' A', 'stop'), usage: usage(1, 1) }) }, { upstreamModel: 'm' });
      expect(await client.generate({ prompt: 'Q:', parameters: { returnFullText: true } }, { signal: signal() })).toMatchObject({ generatedText: 'Q: A' });
    });

    it('maps 503 (full queue) to an http failure without an error type, 429 to overloaded with Retry-After', async () => {
      let status = 503;
      const { client } = await serve({
        'POST /v1/completions': (_q, res) => json(res, status, { error: { message: 'queue full', type: 'ServiceUnavailableError', code: status } }, { 'retry-after': '2' }),
      }, { upstreamModel: 'm' });
      await expect(client.generate(PROMPT, { signal: signal() })).rejects.toMatchObject({ failure: { kind: 'http', status: 503, errorType: null, message: 'queue full', retryAfterSeconds: 2 } });
      status = 429;
      await expect(client.generate(PROMPT, { signal: signal() })).rejects.toMatchObject({ failure: { kind: 'http', status: 429, errorType: 'overloaded', retryAfterSeconds: 2 } });
    });

    it('maps 400 to validation', async () => {
      const { client } = await serve({
        'POST /v1/completions': (_q, res) => json(res, 400, { error: { message: "This model's maximum context length is 4096 tokens.", type: 'BadRequestError', param: null, code: 400 } }),
      }, { upstreamModel: 'm' });
      await expect(client.generate(PROMPT, { signal: signal() })).rejects.toMatchObject({ failure: { kind: 'http', status: 400, errorType: 'validation' } });
    });

    it('forgets the served name after a 404, and learns it again', async () => {
      let first = true;
      const { client, seen } = await serve(withModels({
        'POST /v1/completions': (_q, res) => {
          if (first) {
            first = false;
            json(res, 404, { error: { message: 'The model `served/model` does not exist.', type: 'NotFoundError', code: 404 } });
          } else json(res, 200, { ...completion('x', 'stop'), usage: usage(1, 1) });
        },
      }));
      await expect(client.generate(PROMPT, { signal: signal() })).rejects.toMatchObject({ failure: { status: 404 } });
      await client.generate(PROMPT, { signal: signal() });
      expect(seen.map((r) => r.url)).toEqual(['/v1/models', '/v1/completions', '/v1/models', '/v1/completions']);
    });
  });

  describe('generateStream', () => {
    it('streams tokens, asking for usage and token ids', async () => {
      const { client, seen } = await serve({
        'POST /v1/completions': (_q, res) => events(res, sse([
          completion(' a', null, { token_ids: [10] }),
          completion(' b', 'length', { token_ids: [11] }),
          { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm', choices: [], usage: usage(1, 2) },
          '[DONE]',
        ])),
      }, { upstreamModel: 'm' });
      const { events: tokens, failure } = await drain(await client.generateStream(PROMPT, { signal: signal() }));
      expect(failure).toBeUndefined();
      expect(tokens.map((t) => [t.index, t.token.id, t.token.text, t.generatedText])).toEqual([[1, 10, ' a', null], [2, 11, ' b', ' a b']]);
      expect(tokens[1]).toMatchObject({ details: { finishReason: 'LENGTH', generatedTokens: 2 }, usage: { totalTokens: 3 } });
      expect(JSON.parse(seen[0]!.body)).toMatchObject({ stream: true, stream_options: { include_usage: true }, return_token_ids: true });
      expect(seen[0]?.headers.accept).toBe('text/event-stream');
      // The body was read to its end: the connection went back to the pool.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(client.stats()).toMatchObject({ connected: 1, busy: 0 });
    });

    it('refuses a 200 that is not an event stream', async () => {
      const { client } = await serve({ 'POST /v1/completions': (_q, res) => json(res, 200, completion('x', 'stop')) }, { upstreamModel: 'm' });
      await expect(client.generateStream(PROMPT, { signal: signal() })).rejects.toMatchObject({
        failure: { kind: 'protocol', detail: 'stream answered with content-type application/json' },
      });
    });

    it('throws a non-200 before any token', async () => {
      const { client } = await serve({ 'POST /v1/completions': (_q, res) => json(res, 503, { error: { message: 'busy', code: 503 } }) }, { upstreamModel: 'm' });
      await expect(client.generateStream(PROMPT, { signal: signal() })).rejects.toMatchObject({ failure: { kind: 'http', status: 503 } });
    });

    it('destroys the socket when the signal aborts mid-stream, and throws its reason', async () => {
      let closed!: () => void;
      const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
      const { client } = await serve({
        'POST /v1/completions': (_q, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(sse([completion(' a', null)]));
          res.on('close', closed);
        },
      }, { upstreamModel: 'm' });
      const controller = new AbortController();
      const stream = await client.generateStream(PROMPT, { signal: controller.signal });
      expect((await stream.next()).value).toMatchObject({ index: 1, token: { text: ' a' } });
      const reason = new Error('client went away');
      const next = stream.next();
      controller.abort(reason);
      await expect(next).rejects.toBe(reason);
      await serverSawClose;
      expect(client.stats().connected).toBe(0);
    });

    it('destroys the socket when the consumer stops reading early', async () => {
      let closed!: () => void;
      const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
      const { client } = await serve({
        'POST /v1/completions': (_q, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(sse([completion(' a', null), completion(' b', null)]));
          res.on('close', closed);
        },
      }, { upstreamModel: 'm' });
      for await (const token of await client.generateStream(PROMPT, { signal: signal() })) {
        expect(token.index).toBe(1);
        break;
      }
      await serverSawClose;
      expect(client.stats().connected).toBe(0);
    });

    it('is broken, connection lost, when the server drops the socket mid-stream', async () => {
      const { client } = await serve({
        'POST /v1/completions': (_q, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(sse([completion(' a', null)]), () => setTimeout(() => res.socket?.destroy(), 10));
        },
      }, { upstreamModel: 'm' });
      const { failure } = await drain(await client.generateStream(PROMPT, { signal: signal() }));
      expect(failure).toMatchObject({ kind: 'broken', connectionLost: true });
    });

    it('blots the key out of an in-band error that repeats it', async () => {
      const { client } = await serve({
        'POST /v1/completions': (q, res) => events(res, sse([{ error: { message: `saw ${String(q.headers.authorization)}`, code: 500 } }, '[DONE]'])),
      }, { upstreamModel: 'm' });
      const { failure } = await drain(await client.generateStream(PROMPT, { signal: signal() }));
      expect(failure).toEqual({ kind: 'in-band', errorType: 'generation', message: 'saw Bearer [redacted]' });
    });
  });

  describe('chat', () => {
    it('answers a chat through /v1/chat/completions', async () => {
      const { client, seen } = await serve(withModels({
        'POST /v1/chat/completions': (_q, res) => json(res, 200, {
          id: 'c', object: 'chat.completion', created: 1, model: 'served/model',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, logprobs: null, finish_reason: 'stop', stop_reason: null }],
          usage: usage(5, 2),
        }),
      }));
      expect(await client.chat(CHAT, { signal: signal() })).toEqual({ content: 'Hello!', toolCalls: [], finishReason: 'EOS_TOKEN', usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 } });
      expect(JSON.parse(seen.at(-1)!.body)).toEqual({ model: 'served/model', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4, stream: false });
    });

    it('streams a chat', async () => {
      const { client, seen } = await serve({
        'POST /v1/chat/completions': (_q, res) => events(res, sse([
          chatChunk({ role: 'assistant', content: '' }),
          chatChunk({ content: 'Hel' }),
          chatChunk({ content: 'lo' }),
          chatChunk({ content: '' }, 'stop'),
          { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: usage(5, 2) },
          '[DONE]',
        ])),
      }, { upstreamModel: 'm' });
      const { events: deltas, failure } = await drain(await client.chatStream(CHAT, { signal: signal() }));
      expect(failure).toBeUndefined();
      expect(deltas).toEqual([
        { delta: 'Hel', toolCallDeltas: [], finishReason: null, usage: null },
        { delta: 'lo', toolCallDeltas: [], finishReason: null, usage: null },
        { delta: '', toolCallDeltas: [], finishReason: 'EOS_TOKEN', usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 } },
      ]);
      expect(JSON.parse(seen[0]!.body)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      expect(JSON.parse(seen[0]!.body)).not.toHaveProperty('return_token_ids');
    });
  });

  it('fails a generation with a connect failure when the model list cannot be fetched', async () => {
    const { client, server } = await serve({});
    await new Promise((resolve) => server.close(resolve));
    const error = await client.generate(PROMPT, { signal: signal() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).failure).toEqual({ kind: 'connect', detail: 'connection refused' });
  });

  it("gives up waiting for the model list on the caller's abort", async () => {
    const { client } = await serve({ 'GET /v1/models': () => undefined /* never answers */ });
    const controller = new AbortController();
    const pending = client.generate(PROMPT, { signal: controller.signal });
    const reason = new Error('deadline');
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
  });
});
