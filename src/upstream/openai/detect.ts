// Which server family answers, told from what it says of itself: the
// `owned_by` of its `/v1/models` entry (vLLM "vllm", SGLang "sglang",
// llama.cpp "llamacpp", Ollama "library" or "ollama"), llama.cpp's `meta`
// there, or its `Server` header ("llama.cpp"). Nothing recognised: null, and
// the generic dialect holds.
import { isObject, type Json } from '../json.ts';
import type { ServerFamily } from '../types.ts';

const OWNERS: ReadonlyMap<string, ServerFamily> = new Map([
  ['vllm', 'vllm'],
  ['sglang', 'sglang'],
  ['llamacpp', 'llamacpp'],
  ['llama.cpp', 'llamacpp'],
  ['library', 'ollama'],
  ['ollama', 'ollama'],
]);

export function detectFamily(entry: Json | undefined, serverHeader: string | undefined): ServerFamily | null {
  const owner = typeof entry?.owned_by === 'string' ? OWNERS.get(entry.owned_by.toLowerCase()) : undefined;
  if (owner !== undefined) return owner;
  if (isObject(entry?.meta) && 'n_ctx_train' in entry.meta) return 'llamacpp';
  if (serverHeader !== undefined && /llama\.cpp/i.test(serverHeader)) return 'llamacpp';
  return null;
}
