// The Vercel AI SDK (`ai` with `@ai-sdk/openai-compatible`) as a client of the
// gateway's /v1, on both upstream protocols: generateText and streamText give
// the text GraphQL's chat and generate return for the same seeded request,
// with the finish reason and the usage; refusals reach it as API call errors
// with their status; an aborted stream ends the generation upstream.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, streamText } from 'ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, GenerateWithUsageDocument } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { eventually } from './harness.ts';
import { idle, PROTOCOLS, ROUTES, startPool, type Pool } from './protocols.ts';

const SYSTEM = 'You answer in one paragraph.';
const PROMPT = 'Tell me about GPUs';
const SAMPLING = { maxOutputTokens: 8, temperature: 0.8, topP: 0.9, seed: 7, maxRetries: 0 };

describe.each(PROTOCOLS)('the AI SDK against /v1 in front of a %s model', (protocol) => {
  let pool: Pool;
  let provider: ReturnType<typeof createOpenAICompatible>;
  beforeAll(async () => {
    pool = await startPool(protocol);
    provider = createOpenAICompatible({ name: 'gateway', baseURL: `${pool.url}/v1`, apiKey: 'unused', includeUsage: true });
  });
  afterEach(async () => {
    pool.reset();
    await idle(pool);
  });
  afterAll(() => pool.stop());

  async function graphqlChat() {
    const messages = [{ role: 'SYSTEM' as const, content: SYSTEM }, { role: 'USER' as const, content: PROMPT }];
    const { data, errors } = await post(pool.url, ChatDocument, { input: { modelId: 'pool', messages, maxTokens: 8, temperature: 0.8, topP: 0.9, seed: 7 } });
    expect(errors).toBeUndefined();
    return data!.chat;
  }

  it('generateText gives the text, finish reason and usage of GraphQL chat for the same seeded request', async () => {
    const result = await generateText({ model: provider.chatModel('pool'), system: SYSTEM, prompt: PROMPT, ...SAMPLING });
    const graphql = await graphqlChat();
    expect(result.text).toBe(graphql.message.content);
    expect(result.finishReason).toBe('length');
    expect(result.usage).toMatchObject({ inputTokens: graphql.usage!.promptTokens, outputTokens: 8 });
  });

  it('streamText streams the same text, then its finish reason and usage', async () => {
    const result = streamText({ model: provider.chatModel('pool'), system: SYSTEM, prompt: PROMPT, ...SAMPLING });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    const graphql = await graphqlChat();
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('')).toBe(graphql.message.content);
    expect(await result.finishReason).toBe('length');
    expect(await result.usage).toMatchObject({ inputTokens: graphql.usage!.promptTokens, outputTokens: 8 });
  });

  it('a completion model gives the text of GraphQL generate for the prompt it sends, unary and streamed', async () => {
    const unary = await generateText({ model: provider.completionModel('pool'), prompt: PROMPT, ...SAMPLING });
    // The SDK writes its own prompt text around the user's ("user:", "assistant:"): GraphQL is given that text.
    const sent = pool.sims[0]!.lastRequest(ROUTES[protocol].generate)!.body as { prompt?: string; inputs?: string };
    const prompt = sent.prompt ?? sent.inputs!;
    expect(prompt).toContain(PROMPT);
    const { data } = await post(pool.url, GenerateWithUsageDocument, { input: { modelId: 'pool', prompt, maxNewTokens: 8, temperature: 0.8, topP: 0.9, seed: 7 } });
    expect(unary.text).toBe(data!.generate.generatedText);
    const streamed = streamText({ model: provider.completionModel('pool'), prompt: PROMPT, ...SAMPLING });
    expect(await streamed.text).toBe(data!.generate.generatedText);
  });

  it('a refused request is an APICallError with its status and OpenAI-shaped body', async () => {
    const error = await generateText({ model: provider.chatModel('pool'), prompt: PROMPT, ...SAMPLING, temperature: -1 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    const call = error as APICallError;
    expect(call.statusCode).toBe(400);
    expect(JSON.parse(call.responseBody!)).toMatchObject({ error: { param: 'temperature', type: 'invalid_request_error' } });
    const unknown = await generateText({ model: provider.chatModel('nope'), prompt: PROMPT, ...SAMPLING }).catch((e: unknown) => e);
    expect((unknown as APICallError).statusCode).toBe(404);
  });

  it('aborting streamText ends the generation upstream', async () => {
    pool.sims[0]!.setTiming({ timePerTokenMs: 30 });
    const before = pool.sims[0]!.stats().abortedStreams;
    const controller = new AbortController();
    const result = streamText({ model: provider.chatModel('pool'), prompt: PROMPT, ...SAMPLING, maxOutputTokens: 500, abortSignal: controller.signal, onError: () => undefined });
    let parts = 0;
    for await (const _part of result.textStream) {
      if (++parts === 3) controller.abort();
    }
    await eventually(() => pool.sims[0]!.stats().abortedStreams === before + 1, 3000, 'the simulator to see its client leave');
  });
});
