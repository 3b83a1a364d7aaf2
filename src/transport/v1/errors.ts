// Failures as OpenAI clients read them: `{"error":{"message","type","param","code"}}`
// with OpenAI's statuses, so that each SDK raises its own error class
// (BadRequestError, AuthenticationError, NotFoundError, RateLimitError…).
// Every failure of the gateway's own codes (errors.ts) is translated here and
// nowhere else; its message is already free of stacks, addresses and keys.
import type { ServerResponse } from 'node:http';
import { asGatewayError, GatewayError, HTTP_STATUS, type ErrorCode } from '../../errors.ts';
import { sendJson } from '../common/send-json.ts';
import { BodyError } from '../rest/json-body.ts';
import { clientParam, clientWording } from './names.ts';

/** OpenAI's `type`: whose mistake it is. */
type ErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';

/** A failure in OpenAI's terms, ready to be sent as a status or as a stream's last event. */
export class OpenAIError extends Error {
  override name = 'OpenAIError';
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;
  /** How the refusal is counted in metrics and the access log: the gateway's code. */
  readonly gatewayCode: string;

  constructor(status: number, type: ErrorType, code: string, message: string, param: string | null = null, gatewayCode = 'BAD_USER_INPUT', retryAfterSeconds?: number) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.gatewayCode = gatewayCode;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get body(): { error: { message: string; type: ErrorType; param: string | null; code: string } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A field the gateway refuses by name: it is understood, but cannot be honoured. */
export const unsupported = (param: string, message: string) => new OpenAIError(400, 'invalid_request_error', 'unsupported_parameter', message, param);

/** A field that holds a value of the wrong kind or out of range. */
export const invalidValue = (param: string, message: string) => new OpenAIError(400, 'invalid_request_error', 'invalid_value', message, param);

/** OpenAI's type and code for each of the gateway's codes; the status is REST's except for bad input (OpenAI: 400). */
const TRANSLATION: Readonly<Record<ErrorCode, { type: ErrorType; code: string; status?: number }>> = {
  BAD_USER_INPUT: { type: 'invalid_request_error', code: 'invalid_value', status: 400 },
  MODEL_NOT_FOUND: { type: 'invalid_request_error', code: 'model_not_found' },
  MODEL_NOT_CONFIGURED: { type: 'server_error', code: 'model_not_configured' },
  UPSTREAM_UNAVAILABLE: { type: 'server_error', code: 'upstream_unavailable' },
  UPSTREAM_TIMEOUT: { type: 'server_error', code: 'upstream_timeout' },
  UPSTREAM_OVERLOADED: { type: 'rate_limit_error', code: 'upstream_overloaded' },
  UPSTREAM_ERROR: { type: 'server_error', code: 'upstream_error' },
  UNAUTHENTICATED: { type: 'invalid_request_error', code: 'invalid_api_key' },
  FORBIDDEN: { type: 'permission_error', code: 'model_not_allowed' },
  RATE_LIMITED: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  GATEWAY_SHUTTING_DOWN: { type: 'server_error', code: 'gateway_shutting_down' },
  INTERNAL_SERVER_ERROR: { type: 'server_error', code: 'internal_error' },
};

/** The fields a failure of the gateway's names, as an OpenAI client wrote them. */
const PARAM_OF_CODE: Partial<Record<ErrorCode, string>> = { MODEL_NOT_FOUND: 'model', FORBIDDEN: 'model', MODEL_NOT_CONFIGURED: 'model' };

/** Any failure, in OpenAI's terms; what is not the gateway's own is a masked 500. */
export function toOpenAIError(error: unknown): OpenAIError {
  if (error instanceof OpenAIError) return error;
  if (error instanceof BodyError) {
    if (error.status === 413) return new OpenAIError(413, 'invalid_request_error', 'request_too_large', error.message, null, error.code);
    return new OpenAIError(400, 'invalid_request_error', error.status === 400 ? 'invalid_value' : 'invalid_json', error.message, null, error.code);
  }
  const failure = asGatewayError(error);
  return fromGatewayError(failure);
}

function fromGatewayError(failure: GatewayError): OpenAIError {
  const { type, code, status = HTTP_STATUS[failure.code] } = TRANSLATION[failure.code];
  const field = failure.details.field;
  const param = field === undefined ? (PARAM_OF_CODE[failure.code] ?? null) : clientParam(field);
  const message = failure.code === 'BAD_USER_INPUT' ? clientWording(failure.message) : failure.message;
  const retryAfter = failure.details.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
  return new OpenAIError(status, type, code, message, param, failure.code, retryAfter);
}

/** The failure as an answer of its own (before any byte of the answer was sent). */
export function sendOpenAIError(res: ServerResponse, error: OpenAIError, headers: Record<string, string> = {}): void {
  const retry: Record<string, string> = error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };
  sendJson(res, error.status, error.body, { ...headers, ...retry });
}
