import { describe, expect, it } from 'vitest';
import { postJson, useSimulator } from './helpers.ts';

const start = useSimulator();

interface Generated {
  generated_text: string;
}

describe('POST / (compat)', () => {
  it('answers a one-element array and echoes the prompt by default', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/', { inputs: 'Q:', parameters: { max_new_tokens: 2 } });
    const body = (await response.json()) as Generated[];
    expect(body).toHaveLength(1);
    expect(body[0]!.generated_text.startsWith('Q:')).toBe(true);
  });

  it('honours return_full_text: false', async () => {
    const simulator = await start();
    const direct = (await (
      await postJson(simulator, '/generate', { inputs: 'Q:', parameters: { max_new_tokens: 2 } })
    ).json()) as Generated;
    const compat = (await (
      await postJson(simulator, '/', { inputs: 'Q:', parameters: { max_new_tokens: 2, return_full_text: false } })
    ).json()) as Generated[];
    expect(compat).toEqual([direct]);
  });

  it('streams SSE when stream is true', async () => {
    const simulator = await start();
    const response = await postJson(simulator, '/', { inputs: 'Q:', parameters: { max_new_tokens: 2 }, stream: true });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(await response.text()).toMatch(/^data: \{"index":1,/);
  });
});
