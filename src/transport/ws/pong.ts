// The answer to a graphql-ws ping. The protocol lets a pong carry the ping's
// payload; echoed whatever its size, a ping of 1 MiB cost the gateway 1 MiB of
// writing for every one a client sent, read or not. Past a small size the pong
// goes without it (a payload is optional in a pong).
import { MessageType, stringifyMessage, type PingMessage } from 'graphql-ws';

/** The largest pong that still echoes its ping's payload, in characters of JSON. */
export const PONG_MAX_ECHO = 1024;

export function pongFor(payload: PingMessage['payload']): string {
  if (payload) {
    const echo = stringifyMessage({ type: MessageType.Pong, payload });
    if (echo.length <= PONG_MAX_ECHO) return echo;
  }
  return stringifyMessage({ type: MessageType.Pong });
}
