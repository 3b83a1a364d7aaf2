// Requests the service refuses before any model server is asked: the error
// the caller gets for a rate limit, and the report every refusal is told as.
import { GatewayError } from '../errors.ts';
import { endingOf, type GenerationReport, type RequestInfo } from './report.ts';
import type { Protocol } from '../upstream/types.ts';

/** The model of a refusal that named none of ours (metrics label only models that exist). */
export const UNKNOWN_MODEL = '(unknown)';

const NOTHING_YET = { replica: undefined, attempts: 0, promptTokens: null, generatedTokens: 0, timeToFirstTokenMs: null, totalMs: 0 } as const;

export function refusalReport(model: string, protocol: Protocol | null, request: RequestInfo, error: unknown): GenerationReport {
  const { code } = endingOf(error);
  return { request, model, protocol, ...NOTHING_YET, code, ending: code === 'CANCELLED' ? 'client_left' : 'refused' };
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
