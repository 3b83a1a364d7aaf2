// Streams over graphql-ws. Each virtual user owns one client (one socket), as
// a browser tab would, so closing it mid-stream hurts no other user.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import {
  GENERATE_STREAM, STREAM_LIMIT_MS, StreamProgress, codeOf, earlyCutDelayMs,
  type Cut, type StreamData, type StreamInput,
} from './stream.ts';
import type { Outcome } from './tally.ts';

export class WsUser {
  readonly #url: string;
  #client: Client;

  constructor(url: string) {
    this.#url = url;
    this.#client = connect(url);
  }

  get client(): Client {
    return this.#client;
  }

  /** Closes the socket under the running stream (a tab that goes away); the next stream opens a new one. */
  closeSocket(): void {
    const old = this.#client;
    this.#client = connect(this.#url);
    void closeQuietly(old);
  }

  dispose(): Promise<void> {
    return closeQuietly(this.#client);
  }
}

/** dispose() rejects when the socket never opened: then there is nothing to close. */
async function closeQuietly(client: Client): Promise<void> {
  try {
    await client.dispose();
  } catch {
    // nothing to close
  }
}

function connect(url: string): Client {
  // lazyCloseTimeout keeps the socket between two streams of the same user, as a real client would.
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, lazyCloseTimeout: 1000 });
}

/** Runs one subscription to its end, or cuts it by unsubscribing or closing the socket. */
export function wsStream(user: WsUser, input: StreamInput, cut: Cut | null): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const progress = new StreamProgress();
    const timers: NodeJS.Timeout[] = [];
    let done = false;
    const finish = (outcome: Outcome): void => {
      if (done) return;
      done = true;
      for (const timer of timers) clearTimeout(timer);
      resolve(outcome);
    };
    const client = user.client;
    const unsubscribe = client.subscribe<StreamData>({ query: GENERATE_STREAM, variables: { input } }, {
      next: (payload) => {
        if (!done && progress.add(payload, cut)) cutNow();
      },
      error: (error: unknown) => finish(wsFailure(error, progress)),
      complete: () => finish(progress.ended()),
    });
    function cutNow(): void {
      if (done || cut === null) return;
      if (cut.how === 'close') user.closeSocket();
      else unsubscribe();
      finish(progress.cutBy(cut.how));
    }
    if (cut?.afterTokens === 0) timers.push(setTimeout(cutNow, earlyCutDelayMs()));
    timers.push(setTimeout(() => {
      unsubscribe();
      finish(progress.failed('stream hung'));
    }, STREAM_LIMIT_MS));
  });
}

/** graphql-ws reports refused operations as a GraphQL error list, broken sockets as a close event. */
function wsFailure(error: unknown, progress: StreamProgress): Outcome {
  if (Array.isArray(error)) return { kind: 'error', code: codeOf(error), tokens: progress.tokens };
  if (typeof error === 'object' && error !== null && 'code' in error) return progress.failed(`ws close ${String(error.code)}`);
  return progress.failed(`ws ${error instanceof Error ? error.name : 'error'}`);
}
