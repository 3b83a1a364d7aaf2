// A TCP tap between a proxy and the simulator, in the load process itself, so
// that "the upstream socket closed" and "the client left" are read on one
// clock. Bytes pass through untouched; the tap only reads the request bytes to
// learn which stream each connection carries (the prompt holds `cancel-<n>-`),
// and notes the moment the proxy's side of that connection closes (FIN or RST).
// When it does, the tap closes its side to the simulator, which counts the
// stream as aborted, as TGI would.
import { connect, createServer, type Server, type Socket } from 'node:net';

const MARKER = /cancel-(\d+)-/g;

export class Tap {
  readonly #server: Server;
  readonly #closedAt = new Map<number, number>();
  readonly #waiters = new Map<number, (at: number) => void>();
  #url = '';

  constructor(upstream: URL) {
    this.#server = createServer((down) => this.#relay(down, connect({ host: upstream.hostname, port: Number(upstream.port), noDelay: true })));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.#url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    return this.#url;
  }

  /** performance.now() when the connection carrying stream n closed; undefined if it did not within timeoutMs. */
  closeOf(n: number, timeoutMs: number): Promise<number | undefined> {
    const at = this.#closedAt.get(n);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(n);
        resolve(undefined);
      }, timeoutMs);
      this.#waiters.set(n, (closed) => {
        clearTimeout(timer);
        resolve(closed);
      });
    });
  }

  close(): void {
    this.#server.close();
  }

  #relay(down: Socket, up: Socket): void {
    down.setNoDelay(true);
    let current = -1;
    let tail = '';
    down.on('data', (chunk: Buffer) => {
      // The marker may straddle two chunks: look at the end of the last one too.
      const text = tail + chunk.toString('latin1');
      for (const match of text.matchAll(MARKER)) current = Number(match[1]);
      tail = text.slice(-24);
    });
    down.pipe(up);
    up.pipe(down);
    const closed = () => {
      if (current < 0) return;
      const at = performance.now();
      this.#closedAt.set(current, at);
      this.#waiters.get(current)?.(at);
      this.#waiters.delete(current);
      current = -1;
    };
    // Whichever comes first is the moment the proxy let go of the stream.
    down.once('end', closed);
    down.once('close', closed);
    down.on('error', closed);
    down.once('close', () => up.destroy());
    up.on('error', () => down.destroy());
    up.once('close', () => down.destroy());
  }
}
