// What operators see of tool calling and structured output, per model: each
// whole answer's calls counted by how their arguments held the client's
// schema, answers to requests that offered tools by whether the model called,
// JSON answers by outcome, and one access-log line per such answer naming the
// tools. Unary and streamed, GraphQL and /v1 count alike. A real gateway in
// front of simulators on both protocols, scraped over /metrics.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { ChatStreamWithToolsDocument, ChatWithToolsDocument, type ChatInput, type ToolInput } from '../gql/graphql.ts';
import { post } from './clients.ts';
import { settled, startSimulators } from './harness.ts';
import { PROTOCOLS, startLoggedGateway, subscribe } from './protocols.ts';

const WEATHER: ToolInput = {
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } }, required: ['city', 'days'] },
};
const FILM = {
  type: 'object',
  properties: { title: { type: 'string' }, year: { type: 'integer' } },
  required: ['title', 'year'],
};

/** One way of asking a chat: its operation and transport labels, and how it is sent. */
interface Way {
  operation: 'chat' | 'chatStream';
  transport: 'http' | 'ws' | 'sse' | 'openai';
}
const WAYS: Way[] = [
  { operation: 'chat', transport: 'http' },
  { operation: 'chatStream', transport: 'ws' },
  { operation: 'chatStream', transport: 'sse' },
  { operation: 'chat', transport: 'openai' },
  { operation: 'chatStream', transport: 'openai' },
];
const FAULTS = [
  { fault: undefined, outcome: 'valid' },
  { fault: 'not-json', outcome: 'invalid_json' },
  { fault: 'breaks-schema', outcome: 'schema_mismatch' },
] as const;

/** The value of one series in a Prometheus text exposition (0 while it has none). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const labels = (values: Record<string, string>): string =>
  `{${Object.entries(values).map(([k, v]) => `${k}="${v}"`).join(',')}}`;

/** The same request as /v1 takes it. */
function openaiBody(input: ChatInput, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { model: input.modelId, messages: input.messages.map((m) => ({ role: m.role.toLowerCase(), content: m.content })), max_tokens: input.maxTokens, stream };
  if (input.tools) body.tools = input.tools.map((t) => ({ type: 'function', function: { name: t.name, parameters: t.parameters } }));
  if (input.toolChoice?.mode) body.tool_choice = input.toolChoice.mode.toLowerCase();
  const format = input.responseFormat;
  if (format?.type === 'JSON_OBJECT') body.response_format = { type: 'json_object' };
  if (format?.type === 'JSON_SCHEMA') body.response_format = { type: 'json_schema', json_schema: { name: format.name, schema: format.schema } };
  return body;
}

describe.each(PROTOCOLS)('tool and structured-output metrics in front of a %s model', (protocol) => {
  let sims: Simulator[];
  let gateway: Awaited<ReturnType<typeof startLoggedGateway>>;
  const scrape = async () => (await fetch(`${gateway.url}/metrics`)).text();
  const checkedLines = () => gateway.log().split('\n').filter((l) => l.includes('"answer checked"')).map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    sims = await startSimulators(1, { protocol });
    gateway = await startLoggedGateway({ POOL: sims }, { TGI_POOL_PROTOCOL: protocol, RETRY_BACKOFF_MS: '0' });
  });
  afterEach(async () => {
    sims[0]!.clearFaults();
    await settled(gateway.app, sims);
  });
  afterAll(async () => {
    await gateway.app.stop(0);
    await Promise.all(sims.map((s) => s.close()));
  });

  /** Asks `input` the given way, to the end of its answer. */
  async function ask(way: Way, input: ChatInput): Promise<void> {
    if (way.transport === 'openai') {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(openaiBody(input, way.operation === 'chatStream')),
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      if (way.operation === 'chatStream') expect(text).toContain('data: [DONE]');
      return;
    }
    if (way.transport === 'http') {
      expect((await post(gateway.url, ChatWithToolsDocument, { input })).errors).toBeUndefined();
      return;
    }
    const payloads = await subscribe(way.transport === 'ws' ? 'graphql-ws' : 'sse', gateway, ChatStreamWithToolsDocument, { input });
    expect(payloads.every((p) => p.errors === undefined)).toBe(true);
    expect(payloads.at(-1)!.data!.chatStream.finishReason).not.toBeNull();
  }

  /** Waits for `series` to reach `expected`: a streamed JSON answer is checked just after its last event. */
  async function expectCount(series: string, expected: number): Promise<void> {
    const until = Date.now() + 15_000;
    let text = await scrape();
    while (sample(text, series) !== expected && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
      text = await scrape();
    }
    expect(sample(text, series), series).toBe(expected);
  }

  const callInput = (over: Partial<ChatInput> = {}): ChatInput => ({
    modelId: 'pool', messages: [{ role: 'USER', content: 'The weather in Paris, please' }], maxTokens: 12, seed: 5, tools: [WEATHER], toolChoice: { mode: 'REQUIRED' }, ...over,
  });

  describe.each(FAULTS)('a call whose arguments are $outcome', ({ fault, outcome }) => {
    it.each(WAYS)('is counted once with that outcome: $operation over $transport', async (way) => {
      if (fault) sims[0]!.setFaults({ badJson: fault });
      const calls = `tgi_gateway_tool_calls_total${labels({ model: 'pool', operation: way.operation, transport: way.transport, outcome })}`;
      const answers = `tgi_gateway_tool_answers_total${labels({ model: 'pool', operation: way.operation, transport: way.transport, tool_choice: 'required', answer: 'calls' })}`;
      const before = await scrape();
      await ask(way, callInput());
      await expectCount(calls, sample(before, calls) + 1);
      await expectCount(answers, sample(before, answers) + 1);
      // Nothing counted under any other outcome, nor as a JSON answer.
      const after = await scrape();
      for (const other of ['valid', 'invalid_json', 'schema_mismatch', 'unknown_tool', 'unchecked'].filter((o) => o !== outcome)) {
        const series = `tgi_gateway_tool_calls_total${labels({ model: 'pool', operation: way.operation, transport: way.transport, outcome: other })}`;
        expect(sample(after, series), series).toBe(sample(before, series));
      }
      expect(after.match(/^tgi_gateway_structured_answers_total\{/gm) ?? []).toHaveLength(before.match(/^tgi_gateway_structured_answers_total\{/gm)?.length ?? 0);
    });
  });

  describe.each(FAULTS)('a JSON_SCHEMA answer that is $outcome', ({ fault, outcome }) => {
    it.each(WAYS)('is counted once with that outcome: $operation over $transport', async (way) => {
      if (fault) sims[0]!.setFaults({ badJson: fault });
      const series = `tgi_gateway_structured_answers_total${labels({ model: 'pool', operation: way.operation, transport: way.transport, format: 'json_schema', outcome })}`;
      const before = await scrape();
      await ask(way, { modelId: 'pool', messages: [{ role: 'USER', content: 'A film' }], maxTokens: 12, seed: 5, responseFormat: { type: 'JSON_SCHEMA', name: 'film', schema: FILM } });
      await expectCount(series, sample(before, series) + 1);
    });
  });

  it.each(WAYS)('a JSON_OBJECT answer is counted by its format: $operation over $transport', async (way) => {
    const series = `tgi_gateway_structured_answers_total${labels({ model: 'pool', operation: way.operation, transport: way.transport, format: 'json_object', outcome: 'valid' })}`;
    const before = await scrape();
    await ask(way, { modelId: 'pool', messages: [{ role: 'USER', content: 'Some JSON' }], maxTokens: 12, seed: 5, responseFormat: { type: 'JSON_OBJECT' } });
    await expectCount(series, sample(before, series) + 1);
  });

  it('an answer in text to tools offered under AUTO is counted as text, with no call; a plain chat counts nothing', async () => {
    const text = `tgi_gateway_tool_answers_total${labels({ model: 'pool', operation: 'chat', transport: 'http', tool_choice: 'auto', answer: 'text' })}`;
    const before = await scrape();
    const linesBefore = checkedLines().length;
    await ask(WAYS[0]!, callInput({ messages: [{ role: 'USER', content: 'Hello there' }], toolChoice: undefined }));
    await expectCount(text, sample(before, text) + 1);
    expect(checkedLines()).toHaveLength(linesBefore + 1);
    // No tools, no JSON: no answer to check, no series, no line.
    const families = (metrics: string) => metrics.split('\n').filter((l) => /^tgi_gateway_(tool_calls|tool_answers|structured_answers)_total\{/.test(l));
    const mid = await scrape();
    await ask(WAYS[0]!, { modelId: 'pool', messages: [{ role: 'USER', content: 'Hello there' }], maxTokens: 5 });
    expect(families(await scrape())).toEqual(families(mid));
    expect(checkedLines()).toHaveLength(linesBefore + 1);
  });

  it('each checked answer gets one access-log line with its request id, the tools it called and their outcomes', async () => {
    sims[0]!.setFaults({ badJson: 'breaks-schema' });
    const linesBefore = checkedLines().length;
    await ask({ operation: 'chatStream', transport: 'sse' }, callInput());
    await ask({ operation: 'chat', transport: 'openai' }, { modelId: 'pool', messages: [{ role: 'USER', content: 'A film' }], maxTokens: 12, seed: 5, responseFormat: { type: 'JSON_SCHEMA', name: 'film', schema: FILM } });
    const lines = checkedLines().slice(linesBefore);
    expect(lines).toEqual([
      expect.objectContaining({
        component: 'access', model: 'pool', protocol, operation: 'chatStream', transport: 'sse', requestId: expect.any(String),
        toolChoice: 'required', toolCalls: [{ name: 'get_weather', outcome: 'schema_mismatch' }],
      }),
      expect.objectContaining({ operation: 'chat', transport: 'openai', format: 'json_schema', content: 'schema_mismatch', toolCalls: [] }),
    ]);
    // Tool names are in the log, never a metrics label.
    expect(await scrape()).not.toContain('get_weather');
  });
});
