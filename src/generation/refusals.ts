// Requests the service refuses before any model server is asked: the error
// the caller gets for a rate limit, and the refusal every one is told as.
import { GatewayError } from '../errors.ts';
import type { Model } from '../registry/model.ts';
import { failureCode, type GenerationRefusal, type RequestInfo } from './report.ts';

/** The model of a refusal that named none of ours (metrics label only models that exist). */
export const UNKNOWN_MODEL = '(unknown)';

export function refusalOf(model: Model | undefined, request: RequestInfo, error: unknown): GenerationRefusal {
  const code = failureCode(error);
  return {
    stage: 'admission',
    request,
    model: model?.id ?? UNKNOWN_MODEL,
    protocol: model?.protocol ?? null,
    code,
    ending: code === 'CANCELLED' ? 'client_left' : 'refused',
  };
}

const LIMIT_WORDS: Readonly<Record<string, string>> = {
  rpm: 'requests per minute (RATE_LIMIT_RPM)',
  tpm: 'generated tokens per minute (RATE_LIMIT_TPM)',
  concurrent: 'generations at once (MAX_CONCURRENT_STREAMS)',
};

export function rateLimited(limit: string, retryAfterSeconds: number): GatewayError {
  const message = limit === 'unavailable'
    ? 'rate limits cannot be checked right now; retry later'
    : `rate limit reached: ${LIMIT_WORDS[limit] ?? limit}; retry in ${retryAfterSeconds} s`;
  return new GatewayError('RATE_LIMITED', message, { retryAfterSeconds });
}
