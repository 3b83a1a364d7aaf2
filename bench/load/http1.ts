// A minimal HTTP/1.1 keep-alive client for the unary load. Prepared request
// bytes go out as they are and answers are parsed just enough (status,
// content-length or chunked): undici's per-request cost would otherwise be
// taken from the two cores the processes under test share with the load.
import { connect, type Socket } from 'node:net';

export interface Answer {
  status: number;
  body: string;
}

/** A request: `POST path` with a JSON body, as bytes ready to write. */
export function requestBytes(port: number, path: string, body: string, headers: Record<string, string> = {}): Buffer {
  const payload = Buffer.from(body, 'utf8');
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const head = `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n${extra}content-length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}

/** One connection, one request at a time. */
export class Connection {
  /** Answers received on it: a reused connection may meet the server's keep-alive timeout. */
  served = 0;
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { resolve: (answer: Answer) => void; reject: (error: Error) => void } | undefined;
  #closed = false;

  constructor(port: number) {
    this.#socket = connect({ port, host: '127.0.0.1', noDelay: true });
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('error', () => {}); // 'close' follows and says it
    this.#socket.on('close', () => {
      this.#closed = true;
      this.#pending?.reject(new Error('connection closed'));
      this.#pending = undefined;
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  request(bytes: Buffer): Promise<Answer> {
    if (this.#closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#socket.write(bytes);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const parsed = parseAnswer(this.#buffer);
    if (parsed === undefined) return;
    this.#buffer = this.#buffer.subarray(parsed.consumed);
    this.served += 1;
    const pending = this.#pending;
    this.#pending = undefined;
    if (parsed.close) this.close();
    pending?.resolve({ status: parsed.status, body: parsed.body });
  }
}

function parseAnswer(buf: Buffer): (Answer & { consumed: number; close: boolean }) | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = buf.toString('latin1', 0, headEnd).toLowerCase();
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection: *close/.test(head);
  const start = headEnd + 4;
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) {
    const end = start + Number(length[1]);
    return buf.length < end ? undefined : { status, body: buf.toString('utf8', start, end), consumed: end, close };
  }
  if (!/\r\ntransfer-encoding: *chunked/.test(head)) return { status, body: '', consumed: start, close: true };
  const parts: Buffer[] = [];
  for (let at = start; ;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
    if (size === 0) {
      // No trailers from these servers: the last chunk is "0\r\n\r\n".
      return buf.length < lineEnd + 4 ? undefined : { status, body: Buffer.concat(parts).toString('utf8'), consumed: lineEnd + 4, close };
    }
    if (buf.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Connections opened on demand up to `max`; beyond, requests wait for one (the wait counts in their latency). */
export class Pool {
  readonly #port: number;
  readonly #max: number;
  readonly #idle: Connection[] = [];
  readonly #waiting: ((connection: Connection) => void)[] = [];
  #open = 0;

  constructor(port: number, max: number) {
    this.#port = port;
    this.#max = max;
  }

  async request(bytes: Buffer): Promise<Answer> {
    const connection = await this.#acquire();
    try {
      return await connection.request(bytes);
    } catch (error) {
      // Closed by the server's keep-alive timeout just as it was reused: what any client retries.
      if (connection.served === 0) throw error;
      const fresh = new Connection(this.#port);
      try {
        return await fresh.request(bytes);
      } finally {
        fresh.close();
      }
    } finally {
      this.#release(connection);
    }
  }

  close(): void {
    for (const connection of this.#idle.splice(0)) connection.close();
  }

  #acquire(): Promise<Connection> {
    for (let c = this.#idle.pop(); c !== undefined; c = this.#idle.pop()) {
      if (!c.closed) return Promise.resolve(c);
      this.#open -= 1;
    }
    if (this.#open < this.#max) {
      this.#open += 1;
      return Promise.resolve(new Connection(this.#port));
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(connection: Connection): void {
    const waiter = this.#waiting.shift();
    if (connection.closed) {
      if (waiter) waiter(new Connection(this.#port));
      else this.#open -= 1;
    } else if (waiter) waiter(connection);
    else this.#idle.push(connection);
  }
}
