// Validated raw-prompt requests → the body of `POST /v1/completions`.
//
// returnFullText is not sent as `echo`:
// the gateway puts the prompt before the generated text itself (see
// promptPrefix), because vLLM's echo in a stream puts the prompt into the
// first token's text (and, with return_token_ids, drops it), and llama.cpp
// and Ollama ignore echo. The text is the same as vLLM's echo gives.
import type { CompletionRequest } from '../types.ts';
import { EVERY_WIRE_FIELD, samplingFields, STREAM_OPTIONS, type WireFieldSet } from '../openai-wire/sampling.ts';
import type { WireCompletionRequest } from '../openai-wire/wire.ts';

/** The body of `POST /v1/completions` for the served model `model`, its fields under the server's names. */
export function buildCompletionRequest(
  model: string,
  request: CompletionRequest,
  options: { stream: boolean; fields?: WireFieldSet },
): WireCompletionRequest {
  const body: WireCompletionRequest = { model, prompt: request.prompt, ...samplingFields(request.parameters, options.fields ?? EVERY_WIRE_FIELD), stream: options.stream };
  if (options.stream) {
    body.stream_options = { ...STREAM_OPTIONS };
    body.return_token_ids = true;
  }
  return body;
}

/** What goes before the generated text: the prompt when the client asked for the full text (TGI's return_full_text). */
export const promptPrefix = (request: CompletionRequest): string => (request.parameters.returnFullText === true ? request.prompt : '');
