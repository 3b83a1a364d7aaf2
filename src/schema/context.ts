// What every resolver receives. One context per operation: over HTTP one per
// request, over graphql-ws one per subscribe message.
import type { Caller } from '../access/caller.ts';
import type { GenerationService } from '../generation/service.ts';
import type { InFlight } from '../lib/in-flight.ts';
import type { Registry } from '../registry/registry.ts';

export interface GatewayAbout {
  name: string;
  version: string;
  startedAt: number;
}

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
  /** Fires when the client is gone: disconnect, unsubscribe, socket close. */
  signal: AbortSignal;
  requestId: string;
  /** Who calls: identified by its API key, else by its address (set by the transport). */
  caller: Caller;
  /** The caller's valid W3C `traceparent`, if it sent one. */
  traceparent: string | undefined;
}
