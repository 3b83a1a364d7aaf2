// A POST answered with Server-Sent Events, over node:http with a keep-alive
// agent: TGI's own /generate_stream, and GraphQL over SSE. Events are split on
// blank lines as they arrive; every event of one chunk arrived at the same time.
import { Agent, request, type ClientRequest } from 'node:http';

export interface SseEvent {
  event: string;
  data: string;
}

export interface SseHandlers {
  event(event: SseEvent, at: number): void;
  /** The body ended (error: undefined) or broke. */
  end(error: string | undefined): void;
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

/** Closes the sockets kept alive between streams. */
export function closeIdleSockets(): void {
  agent.destroy();
}

export function postSse(base: URL, path: string, body: string, headers: Record<string, string>, handlers: SseHandlers): ClientRequest {
  const req = request({
    agent, host: base.hostname, port: base.port, path, method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
  });
  let finished = false;
  const end = (error: string | undefined) => {
    if (!finished) handlers.end(error);
    finished = true;
  };
  req.on('error', (error) => end(error.message));
  req.on('response', (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      return end(`HTTP ${res.statusCode}`);
    }
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      const at = performance.now();
      buffer += chunk;
      for (let cut = buffer.indexOf('\n\n'); cut !== -1; cut = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = parseBlock(block);
        if (event !== undefined) handlers.event(event, at);
      }
    });
    res.on('end', () => end(undefined));
    res.on('error', (error) => end(error.message));
    res.on('aborted', () => end('aborted'));
  });
  req.end(body);
  return req;
}

function parseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  return data.length === 0 && event === 'message' ? undefined : { event, data: data.join('\n') };
}
