// What the simulated model answers when offered tools or asked for JSON, the
// same on both protocols (API.md § Tool calls, "Simulator").
import { describe, expect, it } from 'vitest';
import { instanceOf, piecesOf, toolAnswer, type Structured } from '../../src/simulator/core/tool-answer.ts';
import { Prng } from '../../src/simulator/core/prng.ts';

const WEATHER = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 2 } }, required: ['city', 'days'] } };
const TIME = { name: 'get_time', parameters: null };
const offered = (over: Partial<Structured> = {}): Structured => ({ tools: [TIME, WEATHER], toolChoice: null, json: null, ...over });
const ask = (content: string) => [{ role: 'user', content }];

describe('toolAnswer', () => {
  it('REQUIRED calls the first tool; a named function calls that one', () => {
    expect(toolAnswer(offered({ toolChoice: 'required' }), ask('hi'), 1n, undefined)).toMatchObject({ kind: 'call', name: 'get_time', arguments: '{}', named: false });
    expect(toolAnswer(offered({ toolChoice: { name: 'get_weather' } }), ask('hi'), 1n, undefined)).toMatchObject({ kind: 'call', name: 'get_weather', named: true });
  });

  it('AUTO calls the first tool the last user message names, else answers in text; NONE answers in text', () => {
    expect(toolAnswer(offered(), ask('use get_weather or get_time'), 1n, undefined)).toMatchObject({ kind: 'call', name: 'get_time' });
    expect(toolAnswer(offered(), ask('hello'), 1n, undefined)).toEqual({ kind: 'text' });
    expect(toolAnswer(offered({ toolChoice: 'none' }), ask('use get_weather'), 1n, undefined)).toEqual({ kind: 'text' });
  });

  it("after a tool's result, AUTO answers in text that quotes it", () => {
    const messages = [...ask('use get_weather'), { role: 'assistant', content: '' }, { role: 'tool', content: 'sunny' }];
    expect(toolAnswer(offered(), messages, 1n, undefined)).toEqual({ kind: 'fixed', text: 'The tool answered: sunny' });
  });

  it('arguments are an instance of the schema, the same for a seed; the faults break them', () => {
    const call = (seed: bigint, fault?: 'not-json' | 'breaks-schema') =>
      toolAnswer(offered({ toolChoice: 'required', tools: [WEATHER] }), ask('x'), seed, fault) as { arguments: string };
    expect(JSON.parse(call(3n).arguments)).toEqual({ city: expect.any(String), days: 2 });
    expect(call(3n).arguments).toBe(call(3n).arguments);
    expect(() => JSON.parse(call(3n, 'not-json').arguments)).toThrow();
    expect(JSON.parse(call(3n, 'breaks-schema').arguments)).toEqual({ city: 12345, days: 'wrong type' });
  });

  it('a JSON answer holds its schema; JSON_OBJECT is any object', () => {
    const schema = { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' }, minItems: 2 }, ok: { type: 'boolean' } }, required: ['tags', 'ok'] };
    const answer = toolAnswer({ tools: [], toolChoice: null, json: { schema } }, ask('x'), null, undefined) as { text: string };
    expect(JSON.parse(answer.text)).toEqual({ tags: [expect.any(String), expect.any(String)], ok: true });
    expect(JSON.parse((toolAnswer({ tools: [], toolChoice: null, json: { schema: null } }, ask('x'), null, undefined) as { text: string }).text)).toEqual(expect.any(Object));
  });

  it('enum, const and anyOf take their first option', () => {
    const prng = new Prng('p', 1n);
    expect(instanceOf({ enum: ['C', 'F'] }, prng)).toBe('C');
    expect(instanceOf({ const: 7 }, prng)).toBe(7);
    expect(instanceOf({ anyOf: [{ type: 'null' }, { type: 'string' }] }, prng)).toBeNull();
  });

  it('cuts a text into the pieces a stream sends, which join to it', () => {
    expect(piecesOf('{"a":1}', 3)).toEqual(['{"a', '":1', '}']);
    expect(piecesOf('ab', 5).join('')).toBe('ab');
    expect(piecesOf('ab', 5)).toHaveLength(5);
  });
});
