// What every stream of the load shares, whichever transport carries it: the
// operation, its input, the shape of a payload, how it ends and how a client
// decides to cut it short.
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { randomInt } from './random.ts';
import type { ClientEnd, Outcome } from './tally.ts';

export const GENERATE_STREAM =
  'subscription($input: GenerateInput!) { generateStream(input: $input) { index token { text } generatedText } }';

export interface StreamInput {
  modelId: string;
  prompt: string;
  maxNewTokens: number;
}

export interface StreamData {
  generateStream: { index: number; token: { text: string }; generatedText: string | null };
}

export type StreamPayload = FormattedExecutionResult<StreamData, unknown>;

/** When the client gives up: after `afterTokens` tokens, or (0) before the first one arrives. */
export interface Cut {
  how: ClientEnd;
  afterTokens: number;
}

/**
 * Longest a stream may take before the bench calls it hung: well above the gateway's
 * worst case (first-token timeout of 5 s, retries, then 60 tokens or a 2 s idle timeout).
 */
export const STREAM_LIMIT_MS = 15_000;

/** A cut at 0 tokens lands within the time to first token, while the gateway is still connecting or retrying. */
export function earlyCutDelayMs(): number {
  return randomInt(0, 25);
}

export function codeOf(errors: readonly GraphQLFormattedError[]): string {
  const code = errors[0]?.extensions?.['code'];
  return typeof code === 'string' ? code : 'NO_CODE';
}

/**
 * Tallies the payloads of one stream, so that both transports end it by the
 * same rules: an error payload wins, else the final event means completed.
 */
export class StreamProgress {
  tokens = 0;
  sawFinal = false;
  errorCode: string | undefined;

  /** Counts one payload; true when the client should cut now. */
  add(payload: StreamPayload, cut: Cut | null): boolean {
    if (payload.errors !== undefined && payload.errors.length > 0) {
      this.errorCode ??= codeOf(payload.errors);
      return false;
    }
    this.tokens += 1;
    if (payload.data?.generateStream.generatedText != null) this.sawFinal = true;
    return !this.sawFinal && cut !== null && cut.afterTokens > 0 && this.tokens === cut.afterTokens;
  }

  /** The outcome of a stream the server completed. */
  ended(): Outcome {
    if (this.errorCode !== undefined) return { kind: 'error', code: this.errorCode, tokens: this.tokens };
    // Completed without its last event nor an error: the gateway lost the end of the stream.
    if (!this.sawFinal) return { kind: 'error', code: 'NO_FINAL_EVENT', tokens: this.tokens };
    return { kind: 'completed', tokens: this.tokens };
  }

  cutBy(how: ClientEnd): Outcome {
    return { kind: 'client-ended', how, tokens: this.tokens };
  }

  failed(detail: string): Outcome {
    return { kind: 'transport', detail, tokens: this.tokens };
  }
}
