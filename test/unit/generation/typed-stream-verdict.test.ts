// A chat stream tells its answer's verdict once, on its last event, as a
// unary answer's checks would: each call's outcome, or a JSON answer's
// (checked from the whole text, after the last event was handed on). A
// stream cut before its last event tells nothing.
import { describe, expect, it } from 'vitest';
import type { AnswerVerdict } from '../../../src/generation/answer-verdict.ts';
import type { AnswerChecks } from '../../../src/generation/tool-rules.ts';
import { typedChatStream } from '../../../src/generation/typed-stream.ts';
import type { ChatDelta } from '../../../src/upstream/types.ts';

const CITY = JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
const TOOLS: AnswerChecks = { tools: new Map([['get_weather', CITY]]), content: { kind: 'text' } };
const FILM: AnswerChecks = { tools: new Map(), content: { kind: 'json', schema: CITY } };

const text = (delta: string): ChatDelta => ({ delta, toolCallDeltas: [], finishReason: null, usage: null });
const end: ChatDelta = { delta: '', toolCallDeltas: [], finishReason: 'EOS_TOKEN', usage: null };

/** Reads the stream (all of it, or `take` events), and what it told, once settled. */
async function verdicts(deltas: ChatDelta[], checks: AnswerChecks, take = Infinity): Promise<AnswerVerdict[]> {
  async function* source() {
    yield* deltas;
  }
  const told: AnswerVerdict[] = [];
  const stream = typedChatStream(Object.assign(source(), { cancel: () => undefined }), checks, (v) => told.push(v));
  let read = 0;
  for await (const _ of stream) if (++read >= take) break;
  // A JSON answer's check runs in the schema worker after the last event.
  const until = Date.now() + 15_000;
  while (told.length === 0 && read >= deltas.length && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  return told;
}

describe('the verdict of a chat stream', () => {
  it("holds each call's outcome, told once", async () => {
    const told = await verdicts([
      { delta: '', toolCallDeltas: [{ index: 0, id: 'a', name: 'get_weather', argumentsDelta: '{"city":"Oslo"}' }], finishReason: null, usage: null },
      { delta: '', toolCallDeltas: [{ index: 1, id: 'b', name: 'get_weather', argumentsDelta: '{"city":' }], finishReason: null, usage: null },
      end,
    ], TOOLS);
    expect(told).toEqual([{ toolCalls: [{ name: 'get_weather', outcome: 'valid' }, { name: 'get_weather', outcome: 'invalid_json' }], content: undefined }]);
  });

  it.each([
    ['{"city":"Oslo"}', 'valid'],
    ['{"city":"Os', 'invalid_json'],
    ['{"town":"Oslo"}', 'schema_mismatch'],
  ])('holds a JSON answer %s as %s, from its pieces joined', async (answer, outcome) => {
    const pieces = [answer.slice(0, 4), answer.slice(4, 9), answer.slice(9)].map(text);
    expect(await verdicts([...pieces, end], FILM)).toEqual([{ toolCalls: [], content: outcome }]);
  });

  it('a text answer tells an empty verdict; a stream cut before its end tells none', async () => {
    expect(await verdicts([text('Hello'), end], TOOLS)).toEqual([{ toolCalls: [], content: undefined }]);
    expect(await verdicts([text('{"city"'), text(':"Oslo"}'), end], FILM, 1)).toEqual([]);
  });
});
