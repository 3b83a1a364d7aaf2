// TGI's unauthenticated read-only routes: health, info and models.

import type { ServerResponse } from 'node:http';
import type { WireInfo } from '../../upstream/tgi/wire.ts';
import type { SimulatorContext } from '../core/context.ts';
import { sendEmpty, sendJson } from '../core/http-io.ts';
import { UNHEALTHY, sendError } from './errors.ts';
import { TGI_VERSION } from './identity.ts';

export function sendHealth(context: SimulatorContext, res: ServerResponse): void {
  if (context.faults.isUnhealthy()) sendError(res, 503, UNHEALTHY);
  else sendEmpty(res, 200);
}

function info(context: SimulatorContext): WireInfo {
  const o = context.options;
  return {
    model_id: o.modelId,
    model_sha: null,
    model_pipeline_tag: 'text-generation',
    max_concurrent_requests: o.maxConcurrentRequests,
    max_best_of: o.maxBestOf,
    max_stop_sequences: o.maxStopSequences,
    max_input_tokens: o.maxInputTokens,
    max_total_tokens: o.maxTotalTokens,
    validation_workers: 2,
    max_client_batch_size: 4,
    router: 'text-generation-router',
    version: TGI_VERSION,
    sha: null,
    docker_label: null,
  };
}

export function sendInfo(context: SimulatorContext, res: ServerResponse): void {
  // Stalled: the request stays open until the client gives up (close() destroys it).
  if (context.faults.isInfoStalled()) return;
  sendJson(res, 200, info(context));
}

export function sendModels(context: SimulatorContext, res: ServerResponse): void {
  const id = context.options.modelId;
  sendJson(res, 200, { object: 'list', data: [{ id, object: 'model', created: 0, owned_by: id }] });
}
