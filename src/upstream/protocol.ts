// What the gateway knows of a protocol: the rules its servers hold a request
// to (its dialect, read by validation before any call) and how to reach one of
// its replicas. Each adapter (tgi/, openai/) exports one; app.ts hands the
// table of them to the registry, so that nothing below app.ts names a protocol.
import type { Protocol, ServerFamily, UpstreamClient } from './types.ts';

export { NEUTRAL_VALUES, type Dialect, type RefusableField } from './dialect.ts';
import type { Dialect } from './dialect.ts';

export interface ClientOptions {
  connectTimeoutMs: number;
  /** Sent as a bearer on every request; never logged, never shown. */
  apiKey?: string | undefined;
  /** EXPOSE_ENDPOINTS=false: the replica's address is hidden from what its server says. */
  hideAddress?: boolean | undefined;
  /** The `model` a request names; each protocol says what it is when unset. */
  upstreamModel?: string | undefined;
  /** TGI_<KEY>_SERVER: which server family answers; unset, told from what it answers. */
  server?: ServerFamily | undefined;
}

export interface UpstreamProtocol {
  readonly name: Protocol;
  readonly dialect: Dialect;
  connect(baseUrl: string, options: ClientOptions): UpstreamClient;
}

/** Every protocol the gateway speaks, by the name an operator writes (TGI_<KEY>_PROTOCOL). */
export type ProtocolTable = Readonly<Record<Protocol, UpstreamProtocol>>;
