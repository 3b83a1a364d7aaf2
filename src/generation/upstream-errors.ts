// What each upstream failure means to a client. Messages speak of "the model
// server" in the gateway's words: never its address, nor a library's or the
// kernel's error code (UND_ERR_SOCKET, ECONNRESET), which stay in the failure.
import { badInput, GatewayError } from '../errors.ts';
import type { UpstreamFailure } from '../upstream/errors.ts';

export function fromUpstream(f: UpstreamFailure, modelId: string): GatewayError {
  const error = forClient(f, modelId);
  // For the log: whoever logs the error finds the failure, detail included, as its cause.
  error.cause = f;
  return error;
}

function forClient(f: UpstreamFailure, modelId: string): GatewayError {
  switch (f.kind) {
    case 'connect':
      if (f.timedOut) return new GatewayError('UPSTREAM_TIMEOUT', `no replica of model "${modelId}" accepted a connection in time`);
      return unreachable(modelId);
    case 'reset':
      return unreachable(modelId);
    case 'broken':
      return new GatewayError('UPSTREAM_ERROR', f.connectionLost
        ? 'the model server closed the connection during the generation'
        : 'the model server ended the stream before the generation was complete');
    case 'protocol':
      return new GatewayError('UPSTREAM_ERROR', 'the model server sent an answer that could not be read');
    case 'in-band':
      return fromErrorType(f.errorType, f.message, f.field, null, modelId) ?? failed(f.errorType);
    case 'http': {
      const typed = fromErrorType(f.errorType, f.message, f.field, f.retryAfterSeconds, modelId);
      if (typed) return typed;
      if (f.status === 429) return overloaded(modelId, f.retryAfterSeconds);
      if (f.status === 413) return new GatewayError('BAD_USER_INPUT', 'the request is too large for the model server', { field: 'prompt' });
      // The gateway's own key for the server (TGI_<KEY>_API_KEY) is wrong or missing: not the client's doing.
      if (f.status === 401 || f.status === 403) return new GatewayError('UPSTREAM_ERROR', `the model server refused the gateway's credentials (upstream authentication, HTTP ${f.status})`);
      if (f.status === 503) return new GatewayError('UPSTREAM_UNAVAILABLE', `model "${modelId}" is unavailable (HTTP 503)`);
      return new GatewayError('UPSTREAM_ERROR', `the model server answered HTTP ${f.status}`);
    }
  }
}

function fromErrorType(type: string | null, message: string, field: string | undefined, retryAfter: number | null, modelId: string): GatewayError | null {
  switch (type) {
    case 'validation':
    case 'request':
      // The server's own words (the adapter put them in the client's names where it could, and blotted out keys and addresses).
      return field === undefined ? new GatewayError('BAD_USER_INPUT', message) : badInput(field, message);
    case 'overloaded':
      return overloaded(modelId, retryAfter);
    case 'generation':
    case 'incomplete_generation':
    case 'incomplete_generation_stream':
      return failed(type);
    default:
      return null;
  }
}

// TGI's own text for these names shard internals (sockets, paths, CUDA details): the type is enough.
const failed = (errorType: string) =>
  new GatewayError('UPSTREAM_ERROR', `the model server failed during generation (${errorType})`);

const unreachable = (modelId: string) => new GatewayError('UPSTREAM_UNAVAILABLE', `no replica of model "${modelId}" could be reached`);

export function overloaded(modelId: string, retryAfterSeconds: number | null): GatewayError {
  return new GatewayError(
    'UPSTREAM_OVERLOADED',
    `model "${modelId}" is overloaded; retry later`,
    retryAfterSeconds === null ? {} : { retryAfterSeconds },
  );
}

/** Whether a failure says the replica is broken (for ejection); overload and bad input (a request-tied 5xx included) do not. */
export function blamesReplica(f: UpstreamFailure): boolean {
  switch (f.kind) {
    case 'connect':
    case 'reset':
    case 'broken':
    case 'protocol':
      return true;
    case 'http':
      return f.status >= 500 && f.errorType !== 'request';
    case 'in-band':
      return false;
  }
}
