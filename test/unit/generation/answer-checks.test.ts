// An answer's checks and the verdict they come to: the outcome each call and
// a JSON answer are counted by, the same facts their validationErrors say.
import { describe, expect, it } from 'vitest';
import { checkAnswer } from '../../../src/generation/answer-checks.ts';
import type { AnswerChecks } from '../../../src/generation/tool-rules.ts';
import type { ChatOutput, ToolCall } from '../../../src/upstream/types.ts';

const CITY = JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
const TOOLS: AnswerChecks = { tools: new Map([['get_weather', CITY], ['ping', undefined]]), content: { kind: 'text' } };

const answer = (over: Partial<ChatOutput>): ChatOutput => ({ content: '', toolCalls: [], finishReason: 'EOS_TOKEN', usage: null, ...over });
const call = (name: string, args: string): ToolCall => ({ id: `id-${name}`, name, arguments: args });

describe('checkAnswer', () => {
  it('tells each call its outcome, in order: valid, invalid_json, schema_mismatch, unknown_tool; a tool without a schema takes any JSON', async () => {
    const { answer: checked, verdict } = await checkAnswer(answer({
      toolCalls: [
        call('get_weather', '{"city":"Oslo"}'),
        call('get_weather', '{"city":'),
        call('get_weather', '{"city":7}'),
        call('search_the_web', '{}'),
        call('ping', '[1]'),
      ],
    }), TOOLS);
    expect(verdict).toEqual({
      toolCalls: [
        { name: 'get_weather', outcome: 'valid' },
        { name: 'get_weather', outcome: 'invalid_json' },
        { name: 'get_weather', outcome: 'schema_mismatch' },
        { name: 'search_the_web', outcome: 'unknown_tool' },
        { name: 'ping', outcome: 'valid' },
      ],
      content: undefined,
    });
    // The outcomes say what the errors say.
    expect(checked.toolCalls.map((c) => c.validationErrors.length)).toEqual([0, 1, 1, 1, 0]);
    expect(checked.toolCalls[3]!.validationErrors).toEqual(['"search_the_web" is not one of the tools given']);
  });

  it("a server's long tool name is cut in the verdict as in the errors", async () => {
    const { verdict } = await checkAnswer(answer({ toolCalls: [call('x'.repeat(500), '{}')] }), TOOLS);
    expect(verdict.toolCalls[0]!.name).toHaveLength(64);
  });

  it('a JSON answer: valid, invalid_json or schema_mismatch; a text answer and an answer of calls have no content outcome', async () => {
    const film: AnswerChecks = { tools: new Map(), content: { kind: 'json', schema: CITY } };
    const anyJson: AnswerChecks = { tools: new Map(), content: { kind: 'json' } };
    expect((await checkAnswer(answer({ content: '{"city":"Oslo"}' }), film)).verdict.content).toBe('valid');
    expect((await checkAnswer(answer({ content: '{"city":' }), film)).verdict.content).toBe('invalid_json');
    expect((await checkAnswer(answer({ content: '{"town":"Oslo"}' }), film)).verdict.content).toBe('schema_mismatch');
    expect((await checkAnswer(answer({ content: '[]' }), anyJson)).verdict.content).toBe('valid');
    expect((await checkAnswer(answer({ content: 'Hello' }), TOOLS)).verdict).toEqual({ toolCalls: [], content: undefined });
    expect((await checkAnswer(answer({ toolCalls: [call('ping', '{}')] }), film)).verdict.content).toBeUndefined();
  });
});
