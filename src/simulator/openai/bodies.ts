// vLLM's response bodies for /v1/completions, /v1/chat/completions and /v1/models, in its
// key order. Streams: a chat stream opens with a role-only delta; the last chunk carries
// finish_reason and stop_reason; a usage chunk has `"choices": []`.

import type { Usage } from '../core/usage.ts';

export interface VllmMeta {
  id: string;
  created: number;
  model: string;
}

export interface Ending {
  finish_reason: 'stop' | 'length' | 'tool_calls';
  /** The stop string that matched, or null (EOS, length). */
  stop_reason: string | null;
}

interface CompletionChoice {
  text: string;
  ending: Ending | null;
  /** Present only when the request asked for return_token_ids. */
  tokenIds?: number[];
  promptTokenIds?: number[];
}

function completionChoice(choice: CompletionChoice): Record<string, unknown> {
  return {
    index: 0,
    text: choice.text,
    logprobs: null,
    finish_reason: choice.ending?.finish_reason ?? null,
    stop_reason: choice.ending?.stop_reason ?? null,
    ...(choice.tokenIds !== undefined ? { token_ids: choice.tokenIds } : {}),
    ...(choice.promptTokenIds !== undefined ? { prompt_token_ids: choice.promptTokenIds } : {}),
  };
}

export function completionBody(meta: VllmMeta, choice: CompletionChoice, usage: Usage | undefined): unknown {
  return { id: meta.id, object: 'text_completion', created: meta.created, model: meta.model, choices: [completionChoice(choice)], usage };
}

export function completionChunk(meta: VllmMeta, choice: CompletionChoice): unknown {
  return { id: meta.id, object: 'text_completion', created: meta.created, model: meta.model, choices: [completionChoice(choice)] };
}

/** `message` is the assistant's text, or its message with tool calls. */
export function chatBody(meta: VllmMeta, content: string | object, ending: Ending, usage: Usage | undefined): unknown {
  const message = typeof content === 'string' ? { role: 'assistant', content } : content;
  const choice = { index: 0, message, logprobs: null, ...ending };
  return { id: meta.id, object: 'chat.completion', created: meta.created, model: meta.model, choices: [choice], usage };
}

/** `delta` is `{role, content: ""}` first, `{content}` after, and may be `{}` on the last chunk. */
export function chatChunk(meta: VllmMeta, delta: Record<string, unknown>, ending: Ending | null): unknown {
  const choice = { index: 0, delta, logprobs: null, ...(ending ?? { finish_reason: null }) };
  return { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [choice] };
}

export function usageChunk(meta: VllmMeta, object: 'text_completion' | 'chat.completion.chunk', usage: Usage): unknown {
  return { id: meta.id, object, created: meta.created, model: meta.model, choices: [], usage };
}

export function modelList(name: string, root: string, created: number, maxModelLen: number): unknown {
  const permission = {
    id: `modelperm-${name}`, object: 'model_permission', created, allow_create_engine: false, allow_sampling: true,
    allow_logprobs: true, allow_search_indices: false, allow_view: true, allow_fine_tuning: false, organization: '*',
    group: null, is_blocking: false,
  };
  const model = {
    id: name, object: 'model', created, owned_by: 'vllm', root, parent: null, max_model_len: maxModelLen, permission: [permission],
  };
  return { object: 'list', data: [model] };
}
