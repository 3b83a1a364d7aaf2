// A resumed JSON answer replays each event as it was first sent: the partial
// object of event n is what it was at n, not what the stream filled in since
// (the stream grows its partial values in place; the resume log keeps copies).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsClient } from './clients.ts';
import { startStack, type Stack } from './harness.ts';

const SCHEMA = { type: 'object', properties: { title: { type: 'string' }, year: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['title', 'year', 'tags'] };

const EVENT = 'generationId index delta partialContent finishReason';
const START = `subscription ($input: ChatInput!) { chatStream(input: $input) { ${EVENT} } }`;
const RESUME = `subscription ($id: ID!) { resumeChatStream(generationId: $id, afterIndex: 0) { ${EVENT} } }`;

type Event = { generationId: string; index: number; delta: string; partialContent: unknown; finishReason: string | null };

async function collect(url: string, query: string, variables: Record<string, unknown>, field: string): Promise<Event[]> {
  const client = wsClient(url);
  const events: Event[] = [];
  try {
    for await (const result of client.iterate<Record<string, Event>>({ query, variables })) {
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      // Kept as received: a copy of the wire's JSON.
      events.push(structuredClone(result.data![field]!));
    }
  } finally {
    await client.dispose();
  }
  return events;
}

describe('a resumed JSON_SCHEMA chat stream', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it('replays every partial object as it was when first sent', async () => {
    const input = {
      modelId: 'sim',
      messages: [{ role: 'USER', content: 'A film, as JSON' }],
      responseFormat: { type: 'JSON_SCHEMA', name: 'film', schema: SCHEMA },
      maxTokens: 200,
      seed: 4,
      resumable: true,
    };
    const live = await collect(stack.wsUrl, START, { input }, 'chatStream');
    expect(live.length).toBeGreaterThan(3);
    expect(live.at(-1)!.finishReason).not.toBeNull();
    // The partial object grows: an early one is not the last one.
    expect(live[1]!.partialContent).not.toEqual(live.at(-1)!.partialContent);
    const replayed = await collect(stack.wsUrl, RESUME, { id: live[0]!.generationId }, 'resumeChatStream');
    expect(replayed).toEqual(live);
  });
});
