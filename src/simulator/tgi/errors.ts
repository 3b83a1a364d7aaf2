// TGI's own error bodies and the HTTP status each gets on non-stream routes.

import type { ServerResponse } from 'node:http';
import type { WireError } from '../../upstream/tgi/wire.ts';
import { sendJson } from '../core/http-io.ts';

export const OVERLOADED: WireError = { error: 'Model is overloaded', error_type: 'overloaded' };
export const UNHEALTHY: WireError = { error: 'unhealthy', error_type: 'healthcheck' };
export const INCOMPLETE_GENERATION: WireError = { error: 'Incomplete generation', error_type: 'incomplete_generation' };
export const GENERATION_FAILED: WireError = {
  error: 'Request failed during generation: Server error: CUDA out of memory. Tried to allocate 2.00 GiB',
  error_type: 'generation',
};

export function validationError(detail: string): WireError {
  return { error: `Input validation error: ${detail}`, error_type: 'validation' };
}

const STATUS_BY_TYPE: Record<string, number> = {
  validation: 422,
  overloaded: 429,
  generation: 424,
  incomplete_generation: 500,
  healthcheck: 503,
};

export function statusOf(error: WireError): number {
  return STATUS_BY_TYPE[error.error_type] ?? 500;
}

export function sendError(res: ServerResponse, status: number, error: WireError): void {
  sendJson(res, status, error);
}

/** The label TGI puts on `tgi_request_failure{err=...}`. */
export function failureLabel(error: WireError): string {
  return error.error_type === 'incomplete_generation' ? 'incomplete' : error.error_type;
}
