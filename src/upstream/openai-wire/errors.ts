// Error bodies of OpenAI-compatible servers → UpstreamError, in the gateway's
// error-type vocabulary (see src/generation/upstream-errors.ts):
//
//   HTTP:    400, 422 → 'validation' (BAD_USER_INPUT); 429 → 'overloaded'
//            (UPSTREAM_OVERLOADED); 503 stays null, so that it is retried like
//            TGI's full queue and, when every replica said it, is
//            UPSTREAM_UNAVAILABLE; every other status (401, 403, 404, 5xx) null.
//   In-band: the error's code (or TGI's http_status_code) 400/422 → 'validation',
//            429/503 → 'overloaded', anything else → 'generation'; without a
//            numeric code, its type name decides (invalid_request_error,
//            BadRequestError → 'validation'; rate-limit or unavailable → 'overloaded').
//
// A 5xx (or an in-band error without a 4xx code) whose message the server's
// dialect lists as request-tied is 'request': the request caused it (llama.cpp
// answers 500 to "context shift is disabled"), so it is the client's to fix,
// and says nothing of the replica.
//
// Only a message from a recognised JSON error shape is kept: a body that is
// not one comes from something in between (a proxy page naming hosts).
// Messages are cut to a bounded length.
import { UpstreamError, type UpstreamErrorType } from '../errors.ts';
import { isObject, type Json } from '../json.ts';

const MAX_MESSAGE_CHARS = 1000;

/** Messages of server failures that the request caused (a dialect's list); none by default. */
export type RequestTiedMessages = readonly RegExp[];

const NONE: RequestTiedMessages = [];

const tiedTo = (message: string, requestTied: RequestTiedMessages): boolean => requestTied.some((pattern) => pattern.test(message));

interface Found {
  message: string;
  /** A numeric code the body carries (vLLM, llama.cpp `code`; TGI `http_status_code`). */
  status: number | null;
  /** A type name the body carries (`type`, or TGI's `error_type`). */
  type: string | null;
}

const bounded = (text: string): string => (text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text);

function statusOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d{3}$/.test(value)) return Number(value);
  return null;
}

function fromInfo(info: Json): Found | null {
  if (typeof info.message !== 'string') return null;
  return {
    message: info.message,
    status: statusOf(info.http_status_code) ?? statusOf(info.code),
    type: typeof info.type === 'string' ? info.type : null,
  };
}

/** The error a JSON body states, if it states one. */
function findError(json: Json): Found | null {
  const { error } = json;
  if (isObject(error)) return fromInfo(error);
  if (typeof error === 'string') {
    return { message: error, status: statusOf(json.code), type: typeof json.error_type === 'string' ? json.error_type : null };
  }
  if (json.object === 'error') return fromInfo(json);
  const { detail } = json;
  if (typeof detail === 'string') return { message: detail, status: null, type: null };
  if (Array.isArray(detail)) {
    // FastAPI's request validation: [{loc, msg, type}, ...]
    const messages = detail.flatMap((d: unknown) => (isObject(d) && typeof d.msg === 'string' ? [d.msg] : []));
    if (messages.length > 0) return { message: messages.join('; '), status: null, type: null };
  }
  return null;
}

/** An in-stream error event (`{"error": ...}`), thrown as such by the stream decoders; null when the event is not one. */
export function inBandError(json: Json, requestTied: RequestTiedMessages = NONE): UpstreamError | null {
  if ((json.error === undefined || json.error === null) && json.object !== 'error') return null;
  const found = findError(json) ?? { message: 'error event', status: null, type: null };
  let errorType = inBandType(found);
  if (errorType === 'generation' && tiedTo(found.message, requestTied)) errorType = 'request';
  return new UpstreamError({ kind: 'in-band', errorType, message: bounded(found.message) });
}

/** TGI's own type names pass as they are; others by code, then by name. */
const TGI_TYPES: ReadonlySet<string> = new Set(['validation', 'overloaded', 'generation', 'incomplete_generation', 'incomplete_generation_stream']);

function inBandType({ status, type }: Found): UpstreamErrorType {
  if (status === 400 || status === 422) return 'validation';
  if (status === 429 || status === 503) return 'overloaded';
  if (status !== null) return 'generation';
  if (type !== null) {
    if (TGI_TYPES.has(type)) return type;
    if (/invalid_request|badrequest|validation|context_size/i.test(type)) return 'validation';
    if (/rate_limit|overload|unavailable/i.test(type)) return 'overloaded';
  }
  return 'generation';
}

function httpType(status: number): UpstreamErrorType | null {
  if (status === 400 || status === 422) return 'validation';
  if (status === 429) return 'overloaded';
  return null;
}

/** A non-2xx answer: the server's JSON error when it is one, else the status alone. */
export function parseErrorResponse(status: number, text: string, retryAfterSeconds: number | null, requestTied: RequestTiedMessages = NONE): UpstreamError {
  let found: Found | null = null;
  try {
    const json: unknown = JSON.parse(text);
    if (isObject(json)) found = findError(json);
  } catch {
    // Not JSON: a plain-text rejection, or a proxy's HTML page.
  }
  const tied = status >= 500 && found !== null && tiedTo(found.message, requestTied);
  return new UpstreamError({
    kind: 'http',
    status,
    errorType: tied ? 'request' : httpType(status),
    message: found ? bounded(found.message) : `status ${status}`,
    retryAfterSeconds,
  });
}
