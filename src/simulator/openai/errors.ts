// vLLM's error bodies: `{"error":{"message","type","param","code"}}`, the type named after the
// HTTP status (BadRequestError, NotFoundError, ...). Streams carry the same object in-band.

import { STATUS_CODES, type ServerResponse } from 'node:http';
import { sendJson } from '../core/http-io.ts';

export interface OpenAiError {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: number } };
}

/** "Service Unavailable" -> "ServiceUnavailableError", as vLLM names them. */
function typeOf(status: number): string {
  if (status === 500) return 'InternalServerError';
  const phrase = STATUS_CODES[status] ?? 'Unknown';
  return `${phrase.replace(/[^A-Za-z0-9]+/g, '')}Error`;
}

export function openAiError(status: number, message: string, param: string | null = null): OpenAiError {
  return { status, body: { error: { message, type: typeOf(status), param, code: status } } };
}

export const badRequest = (message: string, param: string | null = null): OpenAiError => openAiError(400, message, param);

export function modelNotFound(model: string): OpenAiError {
  return openAiError(404, `The model \`${model}\` does not exist.`, 'model');
}

/** There is no in-band "overloaded" on this protocol: a full server refuses with 503. */
export function queueFull(limit: number): OpenAiError {
  return openAiError(503, `The server is overloaded: the request queue is full (${limit} requests running). Retry later.`);
}

export const GENERATION_CRASHED: OpenAiError = openAiError(
  500,
  'EngineCore encountered an issue: CUDA out of memory. Tried to allocate 2.00 GiB',
);

export function sendOpenAiError(res: ServerResponse, error: OpenAiError): void {
  sendJson(res, error.status, error.body);
}

/** FastAPI's own answers, outside vLLM's handlers. */
export const NOT_FOUND = { detail: 'Not Found' };
export const METHOD_NOT_ALLOWED = { detail: 'Method Not Allowed' };
export const UNAUTHORIZED = { error: 'Unauthorized' };
