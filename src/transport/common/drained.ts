// Waiting for a slow client to take what was written: resolves on 'drain', or
// as soon as the client is gone (the operation's signal, the response closed).
// It settles at once when the client is gone already: a write to a response
// already closed returns false too, and the events that would end the wait
// have fired by then.
import type { ServerResponse } from 'node:http';

export function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
