import { describe, expect, it } from 'vitest';
import { BLOCK_CHARS, conversationText, prefixBlocks } from '../../../src/routing/prefix-blocks.ts';
import { PrefixIndex } from '../../../src/routing/prefix-index.ts';

const text = (seed: string, blocks: number) => seed.repeat(Math.ceil((blocks * BLOCK_CHARS) / seed.length)).slice(0, blocks * BLOCK_CHARS);

describe('prefix blocks', () => {
  it('cuts a prompt into whole blocks, leaving out the partial last one', () => {
    expect(prefixBlocks('x'.repeat(BLOCK_CHARS * 3 + 5))).toHaveLength(3);
    expect(prefixBlocks('short')).toEqual([]);
  });

  it('names a block by everything before it: equal names mean equal prefixes', () => {
    const a = prefixBlocks(text('a', 2) + text('c', 1));
    const b = prefixBlocks(text('b', 2) + text('c', 1));
    expect(a[2]).not.toBe(b[2]);
    const longer = prefixBlocks(text('a', 2) + text('c', 1) + text('d', 4));
    expect(longer.slice(0, 3)).toEqual(a);
  });

  it('keeps the blocks of earlier turns when a conversation grows by one', () => {
    const system = { role: 'system', content: text('You are terse. ', 4) };
    const turn1 = [system, { role: 'user', content: 'hello there' }];
    const turn2 = [...turn1, { role: 'assistant', content: 'hi' }, { role: 'user', content: text('and now? ', 2) }];
    const first = prefixBlocks(conversationText(turn1));
    const second = prefixBlocks(conversationText(turn2));
    expect(first.length).toBeGreaterThan(0);
    expect(second.slice(0, first.length)).toEqual(first);
  });

  it('takes time linear in the prompt', () => {
    const time = (chars: number) => {
      const prompt = 'y'.repeat(chars);
      const started = performance.now();
      for (let i = 0; i < 5; i++) prefixBlocks(prompt);
      return performance.now() - started;
    };
    time(100_000); // warm-up
    const small = time(200_000);
    const big = time(2_000_000);
    // Ten times the text: about ten times the work, far from a hundred (quadratic).
    expect(big / small).toBeLessThan(30);
  });
});

describe('the prefix index', () => {
  const conversation = prefixBlocks(text('the same long system prompt, ', 6));

  it('finds the replica holding the longest prefix of a prompt', () => {
    const index = new PrefixIndex(1000);
    index.record('a', conversation.slice(0, 2));
    index.record('b', conversation.slice(0, 5));
    expect(index.matches(conversation, ['a', 'b', 'c'])).toEqual(new Map([['a', 2], ['b', 5], ['c', 0]]));
  });

  it('counts a block only while every block before it is held too', () => {
    const index = new PrefixIndex(1000);
    index.record('a', [conversation[0]!, conversation[2]!]);
    expect(index.matches(conversation, ['a']).get('a')).toBe(1);
  });

  it('lists a block under every replica it was sent to', () => {
    const index = new PrefixIndex(1000);
    index.record('a', conversation);
    index.record('b', conversation.slice(0, 3));
    index.record('a', conversation);
    expect(index.matches(conversation, ['a', 'b'])).toEqual(new Map([['a', 6], ['b', 3]]));
    expect(index.size).toBe(6);
  });

  it('never holds more blocks than its bound, however much is sent', () => {
    const index = new PrefixIndex(64);
    for (let i = 0; i < 200; i++) index.record(`r${i % 3}`, prefixBlocks(text(`conversation ${i} `, 8)));
    expect(index.size).toBe(64);
  });

  it('forgets the least recently sent blocks first', () => {
    const index = new PrefixIndex(8);
    const old = prefixBlocks(text('old ', 4));
    const recent = prefixBlocks(text('recent ', 4));
    index.record('a', old);
    index.record('b', recent);
    // Looking does not make a block recent: only sending it does.
    index.matches(old, ['a']);
    index.record('c', prefixBlocks(text('newest ', 4)));
    expect(index.matches(old, ['a']).get('a')).toBe(0);
    expect(index.matches(recent, ['b']).get('b')).toBe(4);
  });
});
