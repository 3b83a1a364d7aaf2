// The first steps of every generation request, whatever the protocol: note its correlation
// and auth headers, take its fault snapshot (counting down `times`) and refuse the
// connection when that fault is on. null means the request was refused.

import type { IncomingMessage } from 'node:http';
import type { SimulatorContext } from './context.ts';
import { hasGenerationFault, type GenerationFaults } from './faults.ts';

export function admitGeneration(context: SimulatorContext, req: IncomingMessage): GenerationFaults | null {
  const { 'x-request-id': requestId, traceparent, authorization } = req.headers;
  context.stats.lastGenerationHeaders = {
    ...(typeof requestId === 'string' ? { 'x-request-id': requestId } : {}),
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
    ...(typeof authorization === 'string' ? { authorization } : {}),
  };
  const faults = context.faults.takeForRequest();
  if (hasGenerationFault(faults)) context.stats.counters.faultedRequests += 1;
  if (faults.refuseConnections) {
    context.stats.counters.refusedConnections += 1;
    req.socket.destroy();
    return null;
  }
  return faults;
}
