// A chat stream typed for clients: the servers' tool-call deltas mapped onto
// one shape (id and name once, stable indices, arguments that concatenate),
// partial values, and the calls assembled and checked on the last event.
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/generation/chat-answer.ts';
import type { AnswerChecks } from '../../../src/generation/tool-rules.ts';
import { typedChatStream } from '../../../src/generation/typed-stream.ts';
import type { ChatDelta, ToolCallDelta } from '../../../src/upstream/types.ts';

const SCHEMA = JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
const CHECKS: AnswerChecks = { tools: new Map([['get_weather', SCHEMA], ['get_time', undefined]]), content: { kind: 'text' } };

const calls = (...deltas: ToolCallDelta[]): ChatDelta => ({ delta: '', toolCallDeltas: deltas, finishReason: null, usage: null });
const end = (finishReason: ChatDelta['finishReason'] = 'EOS_TOKEN'): ChatDelta => ({ delta: '', toolCallDeltas: [], finishReason, usage: null });

async function run(deltas: ChatDelta[], checks = CHECKS): Promise<ChatEvent[]> {
  async function* source() {
    yield* deltas;
  }
  const stream = typedChatStream(Object.assign(source(), { cancel: () => undefined }), checks);
  const events: ChatEvent[] = [];
  // Partial values grow in place: each event is kept as it was when read.
  for await (const event of stream) events.push(structuredClone(event));
  return events;
}

describe('typedChatStream', () => {
  it("vLLM's shape: id and name first, argument pieces after; the last event holds the call, checked, and says TOOL_CALLS", async () => {
    const events = await run([
      calls({ index: 0, id: 'chatcmpl-tool-1', name: 'get_weather', argumentsDelta: '' }),
      calls({ index: 0, argumentsDelta: '{"ci' }),
      calls({ index: 0, argumentsDelta: 'ty":"Pa' }),
      calls({ index: 0, argumentsDelta: 'ris"}' }),
      end('EOS_TOKEN'),
    ]);
    expect(events.map((e) => e.toolCallDeltas.map((d) => d.partialArguments))).toEqual([[null], [{}], [{ city: 'Pa' }], [{ city: 'Paris' }], []]);
    expect(events[0]!.toolCallDeltas[0]).toMatchObject({ index: 0, id: 'chatcmpl-tool-1', name: 'get_weather' });
    expect(events.slice(1, 4).every((e) => e.toolCallDeltas[0]!.id === undefined && e.toolCallDeltas[0]!.name === undefined)).toBe(true);
    expect(events.at(-1)).toMatchObject({
      finishReason: 'TOOL_CALLS',
      toolCalls: [{ id: 'chatcmpl-tool-1', name: 'get_weather', arguments: '{"city":"Paris"}', parsedArguments: { city: 'Paris' }, validationErrors: [] }],
    });
    expect(events.slice(0, -1).every((e) => e.toolCalls === null)).toBe(true);
  });

  it("TGI's shape: no id (the gateway makes one), the name on the first piece only", async () => {
    const events = await run([calls({ index: 0, name: 'get_time', argumentsDelta: '{}' }), end('TOOL_CALLS')]);
    expect(events[0]!.toolCallDeltas[0]!.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(events.at(-1)!.toolCalls![0]!.id).toBe(events[0]!.toolCallDeltas[0]!.id);
  });

  it('parallel calls keep their indices; a server that reuses an index for a new call (a new id) gets a new one; repeated ids are replaced', async () => {
    const events = await run([
      calls({ index: 0, id: 'a', name: 'get_weather', argumentsDelta: '{"city":"Oslo"}' }),
      calls({ index: 0, id: 'b', name: 'get_time', argumentsDelta: '{' }),
      calls({ index: 0, argumentsDelta: '}' }),
      calls({ index: 1, id: 'a', name: 'get_time', argumentsDelta: '{}' }),
      end(),
    ]);
    expect(events.flatMap((e) => e.toolCallDeltas.map((d) => d.index))).toEqual([0, 1, 1, 2]);
    const final = events.at(-1)!.toolCalls!;
    expect(final.map((c) => [c.name, c.arguments])).toEqual([['get_weather', '{"city":"Oslo"}'], ['get_time', '{}'], ['get_time', '{}']]);
    expect(final[0]!.id).toBe('a');
    expect(final[1]!.id).toBe('b');
    expect(final[2]!.id).toMatch(/^call_/);
  });

  it('arguments that are not JSON, or break the schema, are said so on the last event', async () => {
    const events = await run([
      calls({ index: 0, id: 'x', name: 'get_weather', argumentsDelta: '{"city":' }),
      calls({ index: 1, id: 'y', name: 'get_weather', argumentsDelta: '{"city":7}' }),
      end(),
    ]);
    expect(events.at(-1)!.toolCalls!.map((c) => [c.parsedArguments, c.validationErrors])).toEqual([
      [null, ['the arguments are not valid JSON']],
      [{ city: 7 }, ['/city must be string']],
    ]);
  });

  it('a JSON answer streams its partial content; a text answer has none', async () => {
    const json: AnswerChecks = { ...CHECKS, content: { kind: 'json' } };
    const text = (delta: string, finishReason: ChatDelta['finishReason'] = null): ChatDelta => ({ delta, toolCallDeltas: [], finishReason, usage: null });
    const events = await run([text('{"a":[1'), text(',2]'), text('}', 'EOS_TOKEN')], json);
    expect(events.map((e) => e.partialContent)).toEqual([{ a: [] }, { a: [1, 2] }, { a: [1, 2] }]);
    expect(events.at(-1)!.toolCalls).toEqual([]);
    expect((await run([text('hi'), text('', 'LENGTH')])).map((e) => e.partialContent)).toEqual([null, null]);
  });
});
