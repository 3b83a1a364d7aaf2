// What every resolver receives. One context per operation: over HTTP one per
// request, over graphql-ws one per subscribe message.
import type { Caller } from '../access/caller.ts';
import type { Operation, RequestInfo, Transport } from '../generation/report.ts';
import type { GenerationService } from '../generation/service.ts';
import type { InFlight } from '../lib/in-flight.ts';
import type { Registry } from '../registry/registry.ts';

export interface GatewayAbout {
  name: string;
  version: string;
  startedAt: number;
}

/** What the schema's resolvers use (REST declares its own needs: transport/rest.ts). */
export interface Services {
  registry: Registry;
  generation: GenerationService;
  about: GatewayAbout;
  /** Subscriptions still relaying; shutdown lets them deliver their last payload. */
  streams: InFlight;
  /** Whether replica URLs may be shown to clients (EXPOSE_ENDPOINTS). */
  exposeEndpoints: boolean;
}

export interface GatewayContext {
  services: Services;
  /**
   * The operation's one signal, made by the transport: fires when the client is
   * gone (disconnect, unsubscribe, socket close). A generation follows it directly.
   */
  signal: AbortSignal;
  requestId: string;
  /** Who calls: identified by its API key, else by its address (set by the transport). */
  caller: Caller;
  /** The caller's valid W3C `traceparent`, if it sent one. */
  traceparent: string | undefined;
  /** How the operation arrived: GraphQL over HTTP, over SSE, or over graphql-ws. */
  transport: Exclude<Transport, 'rest' | 'openai'>;
}

/** What the generation service is told about the request behind an operation. */
export function requestOf(ctx: GatewayContext, operation: Operation): RequestInfo {
  return { caller: ctx.caller, requestId: ctx.requestId, operation, transport: ctx.transport, traceparent: ctx.traceparent };
}
