// Server-Sent Events as TGI's axum router frames them: `data: <json>` plus a blank line and
// a bare `:` comment after keepAliveMs of silence (vLLM sends none: keepAliveMs null). The
// routes decide whether a `[DONE]` payload ends the stream. With chunkBytes the
// bytes leave in small separate writes (one HTTP chunk each), so events and multi-byte
// characters arrive split, as behind a slow proxy.

import type { ServerResponse } from 'node:http';
import type { TimerBag, TimerHandle } from './timers.ts';

interface SseSettings {
  lineEnding: '\n' | '\r\n';
  chunkBytes: number;
  /** null: never send keep-alive comments. */
  keepAliveMs: number | null;
}

export class SseWriter {
  #res: ServerResponse;
  #timers: TimerBag;
  #settings: SseSettings;
  #queue: Buffer[] = [];
  #writing = false;
  #ending = false;
  #onEnded: () => void = () => {};
  #destroyAtEnd = false;
  #keepAlive: TimerHandle | null = null;
  #silenced = false;

  constructor(res: ServerResponse, timers: TimerBag, settings: SseSettings) {
    this.#res = res;
    this.#timers = timers;
    this.#settings = settings;
  }

  /** Status and headers go out at once, before validation, as TGI does. */
  open(headers: Record<string, string>): void {
    this.#res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      ...headers,
    });
    this.#res.flushHeaders();
    this.#armKeepAlive();
  }

  /** One event; `field` is `data` but for llama.cpp's old `error:` lines. */
  send(json: string, field: 'data' | 'error' = 'data'): void {
    const eol = this.#settings.lineEnding;
    this.#enqueue(`${field}: ${json}${eol}${eol}`);
    this.#armKeepAlive();
  }

  /** Stops keep-alive comments for good: a stalled backend sends nothing at all. */
  silence(): void {
    this.#silenced = true;
    this.#keepAlive?.cancel();
  }

  /** Ends the body once everything queued is written; `onEnded` runs when it is. */
  end(onEnded: () => void): void {
    this.silence();
    this.#ending = true;
    this.#onEnded = onEnded;
    this.#pump();
  }

  /** Like end, but resets the connection instead of closing the body. */
  drop(onDropped: () => void): void {
    this.#destroyAtEnd = true;
    this.end(onDropped);
  }

  #armKeepAlive(): void {
    this.#keepAlive?.cancel();
    const keepAliveMs = this.#settings.keepAliveMs;
    if (this.#silenced || keepAliveMs === null) return;
    this.#keepAlive = this.#timers.after(keepAliveMs, () => {
      const eol = this.#settings.lineEnding;
      this.#enqueue(`:${eol}${eol}`);
      this.#armKeepAlive();
    });
  }

  #enqueue(text: string): void {
    if (this.#ending) return;
    const bytes = Buffer.from(text, 'utf8');
    const size = this.#settings.chunkBytes;
    if (size <= 0) this.#queue.push(bytes);
    else for (let start = 0; start < bytes.length; start += size) this.#queue.push(bytes.subarray(start, start + size));
    this.#pump();
  }

  #pump(): void {
    if (this.#writing) return;
    if (this.#settings.chunkBytes <= 0) {
      for (const piece of this.#queue.splice(0)) this.#res.write(piece);
      this.#finishIfDrained();
      return;
    }
    const piece = this.#queue.shift();
    if (piece === undefined) {
      this.#finishIfDrained();
      return;
    }
    this.#res.write(piece);
    // One piece per event-loop turn, so each leaves in its own write.
    this.#writing = true;
    this.#timers.soon(() => {
      this.#writing = false;
      this.#pump();
    });
  }

  #finishIfDrained(): void {
    if (!this.#ending || this.#queue.length > 0 || this.#res.writableEnded || this.#res.destroyed) return;
    // Settle first, so the 'close' that follows is not mistaken for the client leaving.
    this.#onEnded();
    if (this.#destroyAtEnd) this.#res.destroy();
    else this.#res.end();
  }
}
