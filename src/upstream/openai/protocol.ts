// The OpenAI-compatible API (vLLM, SGLang, llama.cpp, Ollama) as a protocol:
// what those servers take, and their client.
import type { UpstreamProtocol } from '../protocol.ts';
import { OpenAIClient } from './client.ts';
import { GENERIC } from './dialects.ts';

export const OPENAI: UpstreamProtocol = {
  name: 'openai',
  // Until a replica said which server it is (or TGI_<KEY>_SERVER did): the widest rules, vLLM's.
  dialect: GENERIC.rules,
  connect: (baseUrl, options) => new OpenAIClient(baseUrl, options),
};
