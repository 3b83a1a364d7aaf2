// The operator's API keys, kept as SHA-256 digests. A presented key is hashed
// and compared with every digest in constant time, so neither its validity nor
// how much of it matched shows in the time the answer takes.
import { timingSafeEqual } from 'node:crypto';
import { digestOf, type ApiKeyConfig } from '../config/keys.ts';
import type { Caller } from './caller.ts';

export type Identified = { ok: true; caller: Caller } | { ok: false; reason: 'missing' | 'unknown' };

export class KeyRing {
  readonly #keys: ReadonlyArray<{ digest: Buffer; caller: Caller }>;

  constructor(keys: readonly ApiKeyConfig[]) {
    this.#keys = keys.map(({ digest, models }) => ({
      digest,
      // A name for logs and rate limits that does not give the key away.
      caller: { kind: 'key', id: `key:${digest.toString('hex').slice(0, 12)}`, models: models === null ? null : new Set(models) },
    }));
  }

  /** Whether keys are required at all (API_KEYS or API_KEYS_FILE set). */
  get enabled(): boolean {
    return this.#keys.length > 0;
  }

  identify(presented: string | undefined): Identified {
    if (presented === undefined || presented === '') return { ok: false, reason: 'missing' };
    const digest = digestOf(presented);
    let found: Caller | undefined;
    // No early exit: every digest is compared whichever matches.
    for (const key of this.#keys) {
      if (timingSafeEqual(key.digest, digest) && found === undefined) found = key.caller;
    }
    return found ? { ok: true, caller: found } : { ok: false, reason: 'unknown' };
  }
}

/** `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function keyFromHeaders(headers: { authorization?: string | undefined; 'x-api-key'?: string | string[] | undefined }): string | undefined {
  const bearer = bearerKey(headers.authorization);
  if (bearer !== undefined) return bearer;
  const key = headers['x-api-key'];
  return typeof key === 'string' ? key.trim() : undefined;
}

/** graphql-ws `connection_init` payload: `{ authorization: "Bearer <key>" }` or `{ apiKey: "<key>" }`. */
export function keyFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (params === undefined) return undefined;
  const bearer = typeof params.authorization === 'string' ? bearerKey(params.authorization) : undefined;
  if (bearer !== undefined) return bearer;
  return typeof params.apiKey === 'string' ? params.apiKey.trim() : undefined;
}

function bearerKey(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const [scheme, key, ...rest] = authorization.trim().split(/\s+/);
  return scheme?.toLowerCase() === 'bearer' && key !== undefined && rest.length === 0 ? key : undefined;
}
