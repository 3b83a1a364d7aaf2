// What the gateway knows of a protocol: the rules its servers hold a request
// to (its dialect, read by validation before any call) and how to reach one of
// its replicas. Each adapter (tgi/, openai/) exports one; app.ts hands the
// table of them to the registry, so that nothing below app.ts names a protocol.
import type { Protocol, UpstreamClient } from './types.ts';

/** Sampling fields some servers have no equivalent for. */
export type RefusableField = 'typicalP' | 'watermark';

export interface Dialect {
  /** How its servers are named in a refusal ("an OpenAI-compatible API"). */
  readonly serverKind: string;
  /** Whether temperature 0 (greedy decoding) is taken; otherwise it must be strictly positive. */
  readonly temperatureZero: boolean;
  /** Whether topP 1 (no nucleus filtering) is taken; otherwise it must be below 1. */
  readonly topPOne: boolean;
  /** Fields its servers have no equivalent for: refused when the client set them. */
  readonly refuses: readonly RefusableField[];
  /** The largest seed its servers take, and why; absent, the whole unsigned 64-bit range. */
  readonly maxSeed?: { readonly value: bigint; readonly why: string };
  /** Stop sequences a request may carry while the server has not said its own limit. */
  readonly defaultMaxStopSequences: number;
  /** Whether its chat route can go on with a final assistant message (a stream continued on another replica). */
  readonly continuesChat: boolean;
}

export interface ClientOptions {
  connectTimeoutMs: number;
  /** Sent as a bearer on every request; never logged, never shown. */
  apiKey?: string | undefined;
  /** EXPOSE_ENDPOINTS=false: the replica's address is hidden from what its server says. */
  hideAddress?: boolean | undefined;
  /** The `model` a request names; each protocol says what it is when unset. */
  upstreamModel?: string | undefined;
}

export interface UpstreamProtocol {
  readonly name: Protocol;
  readonly dialect: Dialect;
  connect(baseUrl: string, options: ClientOptions): UpstreamClient;
}

/** Every protocol the gateway speaks, by the name an operator writes (TGI_<KEY>_PROTOCOL). */
export type ProtocolTable = Readonly<Record<Protocol, UpstreamProtocol>>;
