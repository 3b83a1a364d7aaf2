// A misbehaving model server (no simulator does this): every error it sends
// quotes what it was sent, and where it listens, in the forms servers and
// proxies have been seen to use: the Authorization header in upper case, in
// base64 and base64url, the key cut in two halves, and its own host:port. Its
// limits name a model after the key. Only the limits (/info, /v1/models) are
// normal answers, so that generations are attempted at all.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type EchoProtocol = 'tgi' | 'openai';

export interface EchoingServer {
  url: string;
  /** host:port, as the server names itself. */
  address: string;
  close(): Promise<void>;
}

export async function startEchoingServer(protocol: EchoProtocol, key: string): Promise<EchoingServer> {
  let address = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const auth = req.headers.authorization ?? '';
    const half = Math.floor(key.length / 2);
    const said = (what: string) => [
      `${what} at ${address};`,
      `header ${auth.toUpperCase()};`,
      `encoded ${Buffer.from(auth).toString('base64')} / ${Buffer.from(`authorization: ${auth}`).toString('base64url')};`,
      `key begins "${key.slice(0, half)}" and ends "${key.slice(half)}"`,
    ].join(' ');
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const events = (...payloads: unknown[]) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(payloads.map((p) => `data: ${typeof p === 'string' ? p : JSON.stringify(p)}\n\n`).join(''));
      };
      const streamed = raw !== '' && (JSON.parse(raw) as { stream?: boolean }).stream === true;
      const modelName = `org/${key.toUpperCase()}`;
      if (protocol === 'openai') {
        const error = (status: number, what: string) => ({ error: { message: said(what), type: 'BadRequestError', param: null, code: status } });
        if (req.url === '/v1/models') return json(200, { object: 'list', data: [{ id: modelName, object: 'model', max_model_len: 4096, owned_by: 'echo' }] });
        if (req.url === '/health') return json(503, error(503, 'not ready'));
        if (!streamed) return json(400, error(400, 'rejected'));
        return events(error(400, 'rejected in the stream'), '[DONE]');
      }
      const error = (type: string, what: string) => ({ error: said(what), error_type: type });
      if (req.url === '/info') {
        return json(200, {
          model_id: modelName, max_concurrent_requests: 8, max_best_of: 1, max_stop_sequences: 4, max_input_tokens: 4095, max_total_tokens: 4096, version: 'echo',
        });
      }
      if (req.url === '/health') return json(503, error('healthcheck', 'not ready'));
      if (req.url === '/generate_stream') return events(error('validation', 'Input validation error: rejected in the stream'));
      if (req.url === '/v1/chat/completions' && streamed) {
        return events({ error: { message: said('Input validation error: rejected in the stream'), http_status_code: 422 } }, '[DONE]');
      }
      return json(422, error('validation', 'Input validation error: rejected'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  address = `127.0.0.1:${port}`;
  return {
    url: `http://${address}`,
    address,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
