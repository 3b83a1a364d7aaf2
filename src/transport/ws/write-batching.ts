// Frames that are ready in the same turn of the event loop leave in one write.
// A socket carrying many subscriptions gets a frame for each of them whenever
// their model servers' tokens arrive together: written one by one, each is a
// writev of its own, the most expensive step of relaying a token. Held (corked)
// from the first frame of a turn until the loop has read all its input, they
// go out together; a frame waits no longer than the rest of that turn.
import type { Socket } from 'node:net';

const held = new Set<Socket>();
let flushing = false;

/** Holds the socket's writes until the end of this turn of the event loop. */
export function holdUntilTurnEnds(socket: Socket): void {
  if (held.has(socket) || socket.destroyed) return;
  socket.cork();
  held.add(socket);
  if (!flushing) {
    flushing = true;
    // setImmediate runs once the poll phase has handled every read ready now.
    setImmediate(flush);
  }
}

function flush(): void {
  // Taken out first: a socket held while these are released belongs to the next flush.
  const sockets = [...held];
  held.clear();
  flushing = false;
  for (const socket of sockets) socket.uncork();
}
