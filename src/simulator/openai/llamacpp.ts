// What llama.cpp's `llama-server` says where it differs from vLLM: its model list (owned by
// "llamacpp", with `meta`: the training context always, the serving context `n_ctx` only in
// builds since September 2025), its /props (a slot's context and the number of slots), and
// its error object `{"code","message","type"}`, which answers HTTP 500 for some failures the
// request caused.

import type { RequestTiedError, SimulatorOptions } from '../core/types.ts';
import type { OpenAiError } from './errors.ts';

/** What a small GGUF model reports about itself; the training context dwarfs the serving one. */
const TRAINING_CONTEXT = 131_072;

export function llamaModelList(name: string, created: number, options: SimulatorOptions): unknown {
  const meta = {
    vocab_type: 2, n_vocab: 151_936, n_ctx_train: TRAINING_CONTEXT, n_embd: 896, n_params: 494_032_768, size: 531_066_880,
    ...(options.flavour === 'llamacpp' ? { n_ctx: options.maxTotalTokens } : {}),
  };
  return { models: [{ name, model: name, type: 'model' }], object: 'list', data: [{ id: name, object: 'model', created, owned_by: 'llamacpp', meta }] };
}

/** `GET /props`: each slot holds one request and its context; more requests wait for a slot. */
export function llamaProps(options: SimulatorOptions): unknown {
  return {
    default_generation_settings: { id: 0, n_ctx: options.maxTotalTokens, speculative: false, is_processing: false },
    total_slots: options.maxConcurrentRequests,
    model_path: `/models/${options.modelId.replaceAll('/', '_')}.gguf`,
    chat_template: '',
    build_info: options.flavour === 'llamacpp' ? 'b6900-simulated' : 'b4700-simulated',
  };
}

const REQUEST_TIED: Readonly<Record<RequestTiedError, string>> = {
  // Generation ran into the end of the slot's context with --no-context-shift.
  contextShift: 'context shift is disabled',
  // The output did not parse as what the request asked for (a tool call, a JSON schema).
  outputFormat: 'The model produced output that does not match the expected tool call format',
};

/** llama.cpp's ERROR_TYPE_SERVER: HTTP 500, though the request caused it. */
export function requestTiedError(kind: RequestTiedError): OpenAiError & { body: { error: { type: string } } } {
  const message = REQUEST_TIED[kind];
  return { status: 500, body: { error: { message, type: 'server_error', param: null, code: 500 } } };
}
