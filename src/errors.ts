// Every failure a client can see, as a typed value with its public code. The
// GraphQL shape and the REST status of each code are decided here and nowhere else.

export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'MODEL_NOT_FOUND',
  'MODEL_NOT_CONFIGURED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_OVERLOADED',
  'UPSTREAM_ERROR',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'GATEWAY_SHUTTING_DOWN',
  'GENERATION_NOT_FOUND',
  'GENERATION_EXPIRED',
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetails {
  /** The input field at fault, for BAD_USER_INPUT. */
  field?: string;
  /** When a retry may succeed, for UPSTREAM_OVERLOADED and RATE_LIMITED. */
  retryAfterSeconds?: number;
}

/** Longest message a client gets: a message that echoes a client's value must not outgrow it. */
export const MAX_MESSAGE_CHARS = 1000;
/** Longest quoted value kept whole in a message ("…" stands for the rest). */
const MAX_QUOTED_CHARS = 64;

/**
 * The message within MAX_MESSAGE_CHARS. Quoted values (graphql-js echoes a
 * client's values as JSON strings) are shortened first, which keeps the
 * message's sense; what is still too long loses its middle. Linear in the
 * message's length, whatever it holds.
 */
export function capMessage(message: string): string {
  if (message.length <= MAX_QUOTED_CHARS) return message;
  const shortened = shortenQuoted(message);
  if (shortened.length <= MAX_MESSAGE_CHARS) return shortened;
  const keep = Math.floor((MAX_MESSAGE_CHARS - 3) / 2);
  return `${shortened.slice(0, cutBefore(shortened, keep))} … ${shortened.slice(cutBefore(shortened, shortened.length - keep))}`;
}

function shortenQuoted(message: string): string {
  let out = '';
  let copied = 0;
  let open = message.indexOf('"');
  while (open !== -1) {
    let close = open + 1;
    while (close < message.length && message[close] !== '"') close += message[close] === '\\' ? 2 : 1;
    if (close >= message.length) break;
    if (close - open - 1 > MAX_QUOTED_CHARS) {
      out += `${message.slice(copied, cutBefore(message, open + 1 + MAX_QUOTED_CHARS))}…"`;
      copied = close + 1;
    }
    open = message.indexOf('"', close + 1);
  }
  return copied === 0 ? message : out + message.slice(copied);
}

/** `at`, moved back by one where cutting there would split a UTF-16 surrogate pair. */
const cutBefore = (s: string, at: number) => ((s.charCodeAt(at) & 0xfc00) === 0xdc00 ? at - 1 : at);

export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  /** Set by the transport that reports the error, so that it can name the request. */
  requestId: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(capMessage(message));
    this.code = code;
    this.details = details;
  }
}

export const badInput = (field: string, message: string) => new GatewayError('BAD_USER_INPUT', message, { field });

export const shuttingDown = (message = 'the gateway is shutting down; retry on another instance') =>
  new GatewayError('GATEWAY_SHUTTING_DOWN', message, { retryAfterSeconds: 1 });

/** Names the request in a GatewayError on its way to a client (other errors are masked anyway). */
export function tagRequest(error: unknown, requestId: string): unknown {
  if (error instanceof GatewayError) error.requestId ??= requestId;
  return error;
}

/** REST status of each code (API.md, "REST status per code"). */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 422,
  MODEL_NOT_FOUND: 404,
  MODEL_NOT_CONFIGURED: 503,
  UPSTREAM_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_OVERLOADED: 429,
  UPSTREAM_ERROR: 502,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  GATEWAY_SHUTTING_DOWN: 503,
  GENERATION_NOT_FOUND: 404,
  GENERATION_EXPIRED: 410,
  INTERNAL_SERVER_ERROR: 500,
};

/** Anything thrown that is not a GatewayError is a bug: clients learn only that it happened. */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError('INTERNAL_SERVER_ERROR', 'Unexpected error.');
}

/** The `extensions` of the GraphQL error for this failure. */
export function errorExtensions(error: GatewayError, requestId = error.requestId): Record<string, unknown> {
  const extensions: Record<string, unknown> = { code: error.code };
  if (error.details.field !== undefined) extensions.field = error.details.field;
  if (error.details.retryAfterSeconds !== undefined) extensions.retryAfterSeconds = error.details.retryAfterSeconds;
  if (requestId !== undefined) extensions.requestId = requestId;
  return extensions;
}
