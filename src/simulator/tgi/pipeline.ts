// The part every TGI generation route (native or Messages API, stream or not) shares before
// its first token: admission checks, the concurrency permit, validation and the token plan,
// in TGI's order.

import type { WireError } from '../../upstream/tgi/wire.ts';
import type { SimulatorContext } from '../core/context.ts';
import type { Exchange } from '../core/exchange.ts';
import type { GenerationFaults } from '../core/faults.ts';
import { planned, type PreparedGeneration } from '../core/prepared-generation.ts';
import { OVERLOADED, failureLabel } from './errors.ts';
import type { GenerationRequest } from './generate-request.ts';
import { admissionError, isWireError, permitsNeeded, validate } from './validation.ts';

export function prepareGeneration(
  context: SimulatorContext,
  exchange: Exchange,
  request: GenerationRequest,
  streaming: boolean,
  faults: GenerationFaults,
): PreparedGeneration | WireError {
  const fail = (error: WireError): WireError => {
    context.stats.failed(failureLabel(error));
    return error;
  };
  const refused = admissionError(request, context.options, streaming);
  if (refused !== null) return fail(refused);
  const permit = faults.overloaded ? null : context.semaphore.tryAcquire(permitsNeeded(request, streaming));
  if (permit === null) return fail(OVERLOADED);
  exchange.holdPermit(permit);
  const validated = validate(request, context.options);
  if (isWireError(validated)) return fail(validated);
  return planned(validated);
}

export function isPrepared(value: PreparedGeneration | WireError): value is PreparedGeneration {
  return 'plan' in value;
}
