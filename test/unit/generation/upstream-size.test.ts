import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import type { ChatInput, GenerateInput } from '../../../src/generation/input.ts';
import { checkChatSize, checkGenerateSize, MAX_UPSTREAM_BYTES } from '../../../src/generation/upstream-size.ts';

const refusal = (check: () => void): GatewayError => {
  try {
    check();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('accepted');
};

const generate = (fields: Partial<GenerateInput>): GenerateInput => ({ modelId: 'm', prompt: 'Hi', ...fields });
const chat = (fields: Partial<ChatInput>): ChatInput => ({ modelId: 'm', messages: [{ role: 'USER', content: 'Hi' }], ...fields });
/** A schema whose JSON text is about `bytes` long. */
const schemaOf = (bytes: number) => ({ type: 'object', description: 'd'.repeat(bytes) });

describe('what a generation sends upstream', () => {
  it('is its prompt as a JSON string: quotes, and escapes, count', () => {
    expect(() => checkGenerateSize(generate({ prompt: 'x'.repeat(MAX_UPSTREAM_BYTES - 2) }))).not.toThrow();
    expect(refusal(() => checkGenerateSize(generate({ prompt: 'x'.repeat(MAX_UPSTREAM_BYTES - 1) }))).details.field).toBe('prompt');
    // Blank lines: 60% of the bound as text, 120% of it with each newline written as \n.
    const lines = '\n'.repeat(Math.floor(MAX_UPSTREAM_BYTES * 0.6));
    const error = refusal(() => checkGenerateSize(generate({ prompt: lines })));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(new RegExp(`prompt and stop must take at most ${MAX_UPSTREAM_BYTES} bytes in all .*Given: \\d+`));
  });

  it('counts its stop sequences with it', () => {
    const prompt = 'x'.repeat(MAX_UPSTREAM_BYTES - 20);
    expect(() => checkGenerateSize(generate({ prompt, stop: ['a'] }))).not.toThrow();
    expect(refusal(() => checkGenerateSize(generate({ prompt, stop: ['a'.repeat(40)] }))).details.field).toBe('prompt');
  });
});

describe('what a chat sends upstream', () => {
  const half = Math.floor(MAX_UPSTREAM_BYTES / 2);

  it('is its messages, tools, answer schema and stop sequences together; the largest is the field at fault', () => {
    const messages = [{ role: 'USER' as const, content: 'x'.repeat(half) }];
    expect(() => checkChatSize(chat({ messages }))).not.toThrow();
    expect(() => checkChatSize(chat({ messages, tools: [{ name: 'small', parameters: schemaOf(half / 2) }] }))).not.toThrow();
    const tools = refusal(() => checkChatSize(chat({ messages, tools: [{ name: 'big', parameters: schemaOf(half + 100) }] })));
    expect(tools.details.field).toBe('tools');
    expect(tools.message).toMatch(/^messages, tools, responseFormat and stop must take at most/);
    const format = refusal(() => checkChatSize(chat({ messages, responseFormat: { type: 'JSON_SCHEMA', name: 'a', schema: schemaOf(half + 100) } })));
    expect(format.details.field).toBe('responseFormat');
    expect(refusal(() => checkChatSize(chat({ messages: [{ role: 'USER', content: 'x'.repeat(MAX_UPSTREAM_BYTES) }] }))).details.field).toBe('messages');
  });

  it("counts a conversation's tool calls and results, not only its text", () => {
    const args = JSON.stringify({ blob: 'y'.repeat(half + 100) });
    const messages: ChatInput['messages'] = [
      { role: 'USER', content: 'go' },
      { role: 'ASSISTANT', content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: args }] },
      { role: 'TOOL', content: 'z'.repeat(half), toolCallId: 'c1' },
    ];
    expect(refusal(() => checkChatSize(chat({ messages }))).details.field).toBe('messages');
  });

  it('counts many small messages by what each costs as JSON, not by their text alone', () => {
    const messages = Array.from({ length: Math.ceil(MAX_UPSTREAM_BYTES / 20) }, () => ({ role: 'USER' as const, content: '' }));
    expect(refusal(() => checkChatSize(chat({ messages }))).details.field).toBe('messages');
  });
});
