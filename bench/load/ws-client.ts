// A graphql-transport-ws client reduced to what a subscription needs, over the
// `ws` package: graphql-ws's own client would add its promises and retries to
// the load generator's cost and keep the bench from timing each frame itself.
import WebSocket from 'ws';

export interface Subscriber {
  next(payload: unknown, at: number): void;
  error(reason: string): void;
  complete(): void;
}

export class GraphqlWsSocket {
  readonly #ws: WebSocket;
  readonly #subscribers = new Map<string, Subscriber>();
  #closed = false;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => this.#onMessage(String(data)));
    ws.on('close', (code) => {
      this.#closed = true;
      for (const s of this.#subscribers.values()) s.error(`socket closed (${code})`);
      this.#subscribers.clear();
    });
  }

  /** Connects and waits for `connection_ack`. */
  static open(url: string, timeoutMs = 30_000): Promise<GraphqlWsSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
      const timer = setTimeout(() => fail(new Error('no connection_ack in time')), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        ws.terminate();
        reject(error);
      };
      ws.once('error', fail);
      ws.once('open', () => ws.send('{"type":"connection_init","payload":{}}'));
      ws.once('message', (data) => {
        clearTimeout(timer);
        ws.off('error', fail);
        ws.on('error', () => {}); // 'close' follows and fails the subscribers
        if ((JSON.parse(String(data)) as { type?: string }).type !== 'connection_ack') return fail(new Error(`expected connection_ack, got ${String(data)}`));
        resolve(new GraphqlWsSocket(ws));
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  subscribe(id: string, query: string, variables: unknown, subscriber: Subscriber): void {
    if (this.#closed) return subscriber.error('socket closed');
    this.#subscribers.set(id, subscriber);
    this.#ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  }

  /** Unsubscribes: the client's `complete`. */
  complete(id: string): void {
    this.#subscribers.delete(id);
    if (!this.#closed) this.#ws.send(JSON.stringify({ id, type: 'complete' }));
  }

  /** A clean close (close frame, code 1000), as a client that goes away sends. */
  close(): void {
    this.#ws.close(1000);
  }

  terminate(): void {
    this.#ws.terminate();
  }

  #onMessage(text: string): void {
    const at = performance.now();
    const message = JSON.parse(text) as { id?: string; type: string; payload?: unknown };
    if (message.type === 'ping') return void this.#ws.send('{"type":"pong"}');
    const subscriber = message.id === undefined ? undefined : this.#subscribers.get(message.id);
    if (subscriber === undefined) return;
    if (message.type === 'next') subscriber.next(message.payload, at);
    else {
      this.#subscribers.delete(message.id!);
      if (message.type === 'complete') subscriber.complete();
      else subscriber.error(`graphql-ws ${message.type}: ${JSON.stringify(message.payload).slice(0, 200)}`);
    }
  }
}
