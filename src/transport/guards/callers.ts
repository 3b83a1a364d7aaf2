// Who sends a request or opens a socket: the holder of an API key when keys
// are configured (a missing or unknown key is refused), else an anonymous
// client known by its address, which rate limits count against.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { anonymous } from '../../access/caller.ts';
import { keyFromConnectionParams, keyFromHeaders, type Identified, type KeyRing } from '../../access/keys.ts';

export const UNAUTHENTICATED_MESSAGE = {
  missing: 'an API key is required: send it as "Authorization: Bearer <key>" or "x-api-key: <key>"',
  unknown: 'the API key is not valid',
} as const;

export function createCallers(keys: KeyRing, trustProxy: boolean) {
  const addressOf = (req: IncomingMessage): string | undefined => {
    if (trustProxy) {
      // The trusted proxy appends the address it saw: the last entry. The ones before it
      // are whatever the client sent, which would let it pick its own rate-limit identity.
      const forwarded = req.headers['x-forwarded-for'];
      const header = Array.isArray(forwarded) ? forwarded.at(-1) : forwarded;
      const last = header?.slice(header.lastIndexOf(',') + 1).trim();
      if (last && isIP(last) !== 0) return last;
    }
    return req.socket.remoteAddress;
  };
  return {
    keysRequired: keys.enabled,
    /** An HTTP request's caller, from its headers (SSE included). */
    ofRequest(req: IncomingMessage): Identified {
      return keys.enabled ? keys.identify(keyFromHeaders(req.headers)) : { ok: true, caller: anonymous(addressOf(req)) };
    },
    /** A graphql-ws socket's caller, from its `connection_init` payload. */
    ofSocket(req: IncomingMessage, params: Readonly<Record<string, unknown>> | undefined): Identified {
      return keys.enabled ? keys.identify(keyFromConnectionParams(params)) : { ok: true, caller: anonymous(addressOf(req)) };
    },
  };
}

export type Callers = ReturnType<typeof createCallers>;
