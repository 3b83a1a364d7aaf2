import { describe, expect, it } from 'vitest';
import { chatChunk, pieceWriter, textChunk, type AnswerHead } from '../../../../src/transport/v1/answers.ts';

// Model ids and pieces that JSON must escape, or that look like the field the piece goes in.
const MODELS = ['sim', 'org/model "quoted"', 'a"content":""b', 'a"text":""b', 'ünï\u2028cödé'];
const PIECES = ['', 'Hello', ' world', '"', '\\', '\n\t', '"content":""', '\u0000\u001f', '😀', '\ud800', 'é\u2029'];

describe('a stream chunk written around its piece', () => {
  for (const model of MODELS) {
    const head: AnswerHead = { id: 'chatcmpl-1', created: 1_700_000_000, model };
    it(`is JSON.stringify's text of the chat chunk, for model ${JSON.stringify(model)}`, () => {
      const write = pieceWriter(chatChunk(head, { content: '' }, null), 'content');
      for (const piece of PIECES) expect(write(piece)).toBe(JSON.stringify(chatChunk(head, { content: piece }, null)));
    });
    it(`is JSON.stringify's text of the completion chunk, for model ${JSON.stringify(model)}`, () => {
      const write = pieceWriter(textChunk(head, '', null), 'text');
      for (const piece of PIECES) expect(write(piece)).toBe(JSON.stringify(textChunk(head, piece, null)));
    });
  }
});
