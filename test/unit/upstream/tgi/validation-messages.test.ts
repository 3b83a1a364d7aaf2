// TGI's validation messages, as a client reads them once the TGI adapter
// reworded them and the generation layer mapped the failure.
import { describe, expect, it } from 'vitest';
import { fromUpstream } from '../../../../src/generation/upstream-errors.ts';
import { UpstreamError, type UpstreamFailure } from '../../../../src/upstream/errors.ts';
import { inGatewayNames } from '../../../../src/upstream/tgi/validation-messages.ts';

const MODEL = 'llama';

const http = (status: number, message: string): UpstreamFailure => ({ kind: 'http', status, errorType: 'validation', message, retryAfterSeconds: null });
const inBand = (message: string): UpstreamFailure => ({ kind: 'in-band', errorType: 'validation', message });

/** What the client gets for a failure TGI reported. */
function clientError(failure: UpstreamFailure) {
  const reworded = inGatewayNames(new UpstreamError(failure));
  if (!(reworded instanceof UpstreamError)) throw new Error('not an upstream failure');
  return fromUpstream(reworded.failure, MODEL);
}

describe('TGI\'s validation messages', () => {
  const validation = (message: string) => clientError(http(422, message));

  it('reach the client in its own field names, naming the field at fault', () => {
    const error = validation('Input validation error: `top_p` must be > 0.0 and < 1.0');
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', message: 'topP must be > 0.0 and < 1.0', details: { field: 'topP' } });
    expect(clientError(inBand('Input validation error: `temperature` must be strictly positive')))
      .toMatchObject({ message: 'temperature must be strictly positive', details: { field: 'temperature' } });
  });

  it('read like the gateway\'s own token limits, naming maxNewTokens while the prompt leaves room', () => {
    const error = validation('Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 3900 `inputs` tokens and 500 `max_new_tokens`');
    expect(error.message).toBe('prompt tokens + maxNewTokens must be <= 4096. Given: 3900 prompt tokens and 500 maxNewTokens');
    expect(error.details).toEqual({ field: 'maxNewTokens' });
  });

  it('name prompt when the prompt alone fills the context, or is over max_input_tokens', () => {
    const total = validation('Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 5000 `inputs` tokens and 20 `max_new_tokens`');
    expect(total.details).toEqual({ field: 'prompt' });
    const input = validation('Input validation error: `inputs` must have less than 4095 tokens. Given: 5000');
    expect(input).toMatchObject({ message: 'prompt must have less than 4095 tokens. Given: 5000', details: { field: 'prompt' } });
  });

  it('keep TGI\'s name for a parameter the gateway never sends, and name no field then', () => {
    const error = validation('Input validation error: `best_of` != 1 is not supported when streaming tokens');
    expect(error.message).toBe('`best_of` != 1 is not supported when streaming tokens');
    expect(error.details).toEqual({});
  });
});

describe('other failures', () => {
  it('pass as they are', () => {
    const overloaded = new UpstreamError({ kind: 'in-band', errorType: 'overloaded', message: 'Model is overloaded' });
    expect(inGatewayNames(overloaded)).toBe(overloaded);
  });
});
