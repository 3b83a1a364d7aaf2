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
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetails {
  /** The input field at fault, for BAD_USER_INPUT. */
  field?: string;
  /** When a retry may succeed, for UPSTREAM_OVERLOADED and RATE_LIMITED. */
  retryAfterSeconds?: number;
}

export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  /** Set by the transport that reports the error, so that it can name the request. */
  requestId: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
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
