// The OpenAI-compatible chat route continues a final assistant message as
// vLLM does (continue_final_message: true with add_generation_prompt: false):
// the prompt ends inside that message, so the answer goes on from its text.
import { describe, expect, it } from 'vitest';
import type { SimulatorOptions } from '../../src/simulator/index.ts';
import { useSimulator } from './helpers.ts';
import { post, type ChatBody, type TextBody } from './openai-helpers.ts';

const launch = useSimulator();
const start = (options: Partial<SimulatorOptions> = {}) => launch({ protocol: 'openai', ...options });
const MODEL = 'simulator/tiny-llm';
const question = { role: 'user', content: 'What is deep learning?' };
const started = { role: 'assistant', content: 'Deep learning is' };
const sampling = { model: MODEL, max_tokens: 6, temperature: 0.7, seed: 42 };

describe('continue_final_message on /v1/chat/completions', () => {
  it('continues the final assistant message: the same as completing the rendered, open prompt', async () => {
    const simulator = await start();
    const continued = (await (await post(simulator, '/v1/chat/completions', {
      ...sampling, messages: [question, started], continue_final_message: true, add_generation_prompt: false,
    })).json()) as ChatBody;
    // The simulated template: `<|role|>\ncontent\n` per message; the final one left open.
    const open = `<|user|>\nWhat is deep learning?\n<|assistant|>\nDeep learning is`;
    const completed = (await (await post(simulator, '/v1/completions', { ...sampling, prompt: open })).json()) as TextBody;
    expect(continued.choices[0]!.message.content).toBe(completed.choices[0]!.text);
    expect(continued.usage.prompt_tokens).toBe(completed.usage.prompt_tokens);
  });

  it("refuses it with vLLM's 400 beside the default add_generation_prompt, or after a message not the assistant's", async () => {
    const simulator = await start();
    const both = await post(simulator, '/v1/chat/completions', { ...sampling, messages: [question, started], continue_final_message: true });
    expect(both.status).toBe(400);
    expect(JSON.stringify(await both.json())).toContain('Cannot set both `continue_final_message` and `add_generation_prompt` to True.');
    const user = await post(simulator, '/v1/chat/completions', { ...sampling, messages: [question], continue_final_message: true, add_generation_prompt: false });
    expect(user.status).toBe(400);
  });
});
