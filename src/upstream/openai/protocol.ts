// The OpenAI-compatible API (vLLM, SGLang, llama.cpp, Ollama) as a protocol:
// what those servers take, and their client.
import type { UpstreamProtocol } from '../protocol.ts';
import { OpenAIClient } from './client.ts';

export const OPENAI: UpstreamProtocol = {
  name: 'openai',
  dialect: {
    serverKind: 'an OpenAI-compatible API',
    // Temperature 0 is greedy decoding there, and top_p 1 means no nucleus filtering.
    temperatureZero: true,
    topPOne: true,
    refuses: ['typicalP', 'watermark'],
    // vLLM and its kin take a signed 64-bit seed: above it, the server would refuse the request after the call.
    maxSeed: { value: 2n ** 63n - 1n, why: 'an OpenAI-compatible API takes a signed 64-bit seed' },
    // The servers set no limit of their own: this is the gateway's cap.
    defaultMaxStopSequences: 16,
    // vLLM's and SGLang's continue_final_message.
    continuesChat: true,
  },
  connect: (baseUrl, options) => new OpenAIClient(baseUrl, options),
};
