// The chat playground at /playground: a static page whose CSP allows only its
// own inline scripts and connections to the gateway, then the page itself in
// headless chromium, against a simulator slow enough (30 ms a token) to be
// stopped mid-way. No request may leave the gateway's origin.
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithChromium } from '../support/chromium.ts';
import { eventually, startStack, type Stack } from './harness.ts';
import { messages, recordTexts, say, statusSays, text, tokenCount, usePlaygroundPages } from './playground-page.ts';

const KEY = 'sk-playground-0123456789abcdef';
const SLOW = { timeToFirstTokenMs: 20, timePerTokenMs: 30 };

/** A raw request (fetch would decompress on its own and has no HEAD body check). */
function raw(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

describe('the playground page on the wire', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, { API_KEYS: KEY });
  });
  afterAll(() => stack.stop());

  it('is HTML that needs no key, with a CSP allowing only its own inline scripts and this origin', async () => {
    const res = await raw(`${stack.url}/playground`, 'GET');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toMatch(/script-src 'sha256-[\w+/=]+' 'sha256-[\w+/=]+'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    const html = res.body.toString();
    expect(html).toContain('<textarea id="message"');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('is revalidated by its ETag, goes out gzip to clients that take it, and answers HEAD with headers only', async () => {
    const first = await raw(`${stack.url}/playground`, 'GET');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await raw(`${stack.url}/playground`, 'GET', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
    const gz = await raw(`${stack.url}/playground`, 'GET', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(first.body)).toBe(true);
    const head = await raw(`${stack.url}/playground`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe(etag);
    expect(Number(head.headers['content-length'])).toBe(first.body.byteLength);
    expect(head.body.byteLength).toBe(0);
  });
});

describeWithChromium('the playground in a browser', () => {
  const { open } = usePlaygroundPages();

  /** The chat body the gateway last sent upstream, as the simulator received it. */
  const lastChatBody = (stack: Stack) => stack.simulators[0]!.lastRequest('POST /v1/chat/completions')?.body as { messages: unknown[] } | undefined;

  describe('without API keys', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack(SLOW);
    });
    afterAll(() => stack.stop());

    it('lists the models with their health, every control labelled, the answer read out by a polite live region', async () => {
      const page = await open(stack);
      await expect.poll(() => page.getByLabel('Model').locator('option').allInnerTexts(), { timeout: 5_000 }).toEqual(['sim: ✓ Available']);
      await page.locator('#model-health').filter({ hasText: 'Health: ✓ Available' }).waitFor();
      const unlabelled = await page.$$eval('input, select, textarea', (els) => els.filter((el) => (el as HTMLInputElement).labels?.length === 0).map((el) => el.id));
      expect(unlabelled).toEqual([]);
      expect(await page.locator('#announcer').getAttribute('aria-live')).toBe('polite');
      for (const label of ['System prompt (empty: none)', 'Max tokens', 'Temperature', 'Top p', 'Seed', 'API key (optional)']) await page.getByLabel(label).waitFor();

      await say(page, 'Hello', '12');
      await statusSays(page, '✓ Finished');
      const answer = (await page.locator('#conversation article.assistant .content').innerText()).trim();
      expect(answer.length).toBeGreaterThan(0);
      // Read out as whole sentences, not fragment by fragment: the announcements hold the answer's words.
      await expect.poll(() => page.locator('#announcer').innerText()).toContain(answer.split(/\s+/)[0]);
      expect(await page.locator('#conversation article.assistant').getAttribute('aria-busy')).toBe('false');
    });

    it('holds a conversation: the second turn sends the system prompt and the first turn, question and answer', async () => {
      const page = await open(stack);
      await page.getByLabel('System prompt (empty: none)').fill('You answer briefly.');
      await say(page, 'What is a GPU?', '5');
      await statusSays(page, '✓ Finished (LENGTH) after 5 tokens');
      const first = await page.locator('#conversation article.assistant .content').innerText();
      expect(first.length).toBeGreaterThan(0);
      expect(lastChatBody(stack)!.messages).toEqual([
        { role: 'system', content: 'You answer briefly.' },
        { role: 'user', content: 'What is a GPU?' },
      ]);
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('');

      await say(page, 'And a TPU?', '4');
      await statusSays(page, '✓ Finished (LENGTH) after 4 tokens');
      expect(lastChatBody(stack)!.messages).toEqual([
        { role: 'system', content: 'You answer briefly.' },
        { role: 'user', content: 'What is a GPU?' },
        { role: 'assistant', content: first },
        { role: 'user', content: 'And a TPU?' },
      ]);
      expect(await messages(page).locator('h3').allInnerTexts()).toEqual(['You', 'Assistant', 'You', 'Assistant']);
      expect(await tokenCount(page)).toBe(4);
      expect(Number(await text(page, 'prompt-tokens'))).toBeGreaterThan(0);
      expect(await text(page, 'finish-reason')).toBe('LENGTH');

      await page.getByRole('button', { name: 'New chat' }).click();
      expect(await messages(page).count()).toBe(0);
      await say(page, 'Hello again', '2');
      await statusSays(page, '✓ Finished');
      expect(lastChatBody(stack)!.messages).toHaveLength(2);
    });

    it('streams the answer as it arrives, with its speed, and Stop ends the generation upstream', async () => {
      const page = await open(stack);
      const before = stack.simulators[0]!.stats().abortedStreams;
      await say(page, 'Tell me a long story', '200');
      await expect.poll(() => tokenCount(page), { timeout: 5_000 }).toBeGreaterThanOrEqual(5);
      expect((await page.locator('#conversation article.assistant .content').innerText()).length).toBeGreaterThan(0);
      expect(await text(page, 'tokens-per-second')).toMatch(/^\d+\.\d$/);
      expect(await text(page, 'first-token')).toMatch(/^\d+ ms$/);

      await page.getByRole('button', { name: 'Stop' }).click();
      await statusSays(page, 'Stopped after');
      const stoppedAt = await tokenCount(page);
      expect(stoppedAt).toBeLessThan(200);
      await eventually(() => {
        const s = stack.simulators[0]!.stats();
        return s.abortedStreams > before && s.activeStreams === 0;
      }, 3_000, 'the simulator to see the stream aborted');
      expect(stack.simulators[0]!.stats().tokensAfterAbort).toBe(0);
      await page.waitForTimeout(150); // five token times: nothing more may arrive
      expect(await tokenCount(page)).toBe(stoppedAt);
      expect(await text(page, 'finish-reason')).toBe('–');

      // The stopped answer stays in the conversation as far as it went.
      const partial = await page.locator('#conversation article.assistant .content').innerText();
      await say(page, 'Go on', '2');
      await statusSays(page, '✓ Finished');
      expect(lastChatBody(stack)!.messages.slice(1)).toEqual([
        { role: 'user', content: 'Tell me a long story' },
        { role: 'assistant', content: partial },
        { role: 'user', content: 'Go on' },
      ]);
    });

    it('works from the keyboard: Enter sends, Shift+Enter is a new line, Escape stops, focus goes from Send to Stop and back to the message', async () => {
      const page = await open(stack);
      await page.locator('#model-health').filter({ hasText: 'Available' }).waitFor();
      const box = page.getByLabel('Message', { exact: true });
      await box.fill('');
      await box.focus();
      await page.keyboard.type('first line');
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type('second line');
      expect(await box.inputValue()).toBe('first line\nsecond line');
      await page.keyboard.press('Enter');
      await expect.poll(() => tokenCount(page), { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
      expect((lastChatBody(stack)!.messages.at(-1))).toEqual({ role: 'user', content: 'first line\nsecond line' });
      await page.keyboard.press('Escape');
      await statusSays(page, 'Stopped after');

      await box.fill('more');
      await page.getByRole('button', { name: 'Send', exact: true }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id), { timeout: 2_000 }).toBe('stop');
      await page.keyboard.press('Enter');
      await statusSays(page, 'Stopped after');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('message');
      await eventually(() => stack.simulators[0]!.stats().activeStreams === 0, 3_000, 'the streams to end upstream');
    });

    it('shows a refused input with its code and field, marks the field, and gives the message back', async () => {
      const page = await open(stack);
      await page.getByLabel('Top p').fill('1.5');
      await say(page, 'Hello', '5');
      await page.getByRole('alert').filter({ hasText: /BAD_USER_INPUT: .*\(field: topP\)/ }).waitFor();
      expect(await page.getByLabel('Top p').getAttribute('aria-invalid')).toBe('true');
      expect(await tokenCount(page)).toBe(0);
      expect(await messages(page).count()).toBe(0);
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Hello');
    });

    it('a tool round trip: the call streams in (name, then arguments filling in), its result goes back as a TOOL message, and the model answers with it', async () => {
      const page = await open(stack);
      await page.locator('#structured-hint').filter({ hasText: 'Tool calls stream in' }).waitFor();
      await page.getByRole('button', { name: 'Insert an example' }).click();
      expect(await page.getByLabel('Tool choice').locator('option').allInnerTexts()).toContain('Call get_weather');
      const shown = await recordTexts(page, '.call .arguments');
      await say(page, 'What does get_weather say for Paris?', '12');

      const call = page.locator('#conversation article.assistant .call');
      await call.locator('code').filter({ hasText: 'get_weather' }).waitFor();
      await statusSays(page, '✓ Finished (TOOL_CALLS)');
      expect(await page.locator('#announcer').innerText()).toContain('Calling the tool get_weather.');
      // The arguments filled in as partial objects, each one a step on from the last, ending in the whole call.
      const steps = (await shown()).map((text) => JSON.parse(text) as Record<string, string>);
      expect(steps.length).toBeGreaterThanOrEqual(3);
      const final = steps.at(-1)!;
      expect(final).toEqual({ city: expect.any(String), unit: 'celsius' });
      for (const step of steps) for (const [key, value] of Object.entries(step)) expect(final[key]!.startsWith(value)).toBe(true);

      // The page asks for the result, focused on it; the call's id labels it.
      const sent = lastChatBody(stack)!;
      expect(sent.messages).toHaveLength(2);
      const result = page.getByLabel(/^Result of get_weather \(call_\w+\)$/);
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('tool-result-1');
      const label = await page.locator('#tool-answer-fields label').innerText();
      const callId = /\((call_\w+)\)/.exec(label)![1]!;
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'Answer the tool calls first' }).waitFor();

      await result.fill('{"temperature": 21}');
      await page.keyboard.press('Control+Enter');
      await statusSays(page, '✓ Finished (EOS_TOKEN)');
      expect(await page.locator('#conversation article.assistant .content').last().innerText()).toContain('{"temperature": 21}');
      expect(lastChatBody(stack)!.messages.slice(1)).toMatchObject([
        { role: 'user', content: 'What does get_weather say for Paris?' },
        { role: 'assistant', tool_calls: [{ id: callId, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify(final) } }] },
        { role: 'tool', content: '{"temperature": 21}', tool_call_id: callId },
      ]);
      expect(await messages(page).locator('h3').allInnerTexts()).toEqual(['You', 'Assistant', `Tool result for get_weather (${callId})`, 'Assistant']);
      expect(await page.locator('#tool-answers').isHidden()).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('message');
    });

    it('refuses tools that are not JSON before sending anything, marking the editor', async () => {
      const page = await open(stack);
      await page.locator('#structured-hint').filter({ hasText: 'Tool calls stream in' }).waitFor();
      const chats = () => stack.simulators[0]!.requests().filter((r) => r.route === 'POST /v1/chat/completions').length;
      const before = chats();
      await page.getByLabel('Tools (JSON array)').fill('[{"name": "get_weather",');
      await say(page, 'What does get_weather say?', '5');
      await page.getByRole('alert').filter({ hasText: /Tools is not JSON/ }).waitFor();
      expect(await page.getByLabel('Tools (JSON array)').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('What does get_weather say?');
      expect(await messages(page).count()).toBe(0);
      expect(chats()).toBe(before);
    });

    it('in JSON mode, shows the object as it fills in, ending in an instance of the schema', async () => {
      const page = await open(stack);
      await page.locator('#structured-hint').filter({ hasText: 'JSON answers show the object' }).waitFor();
      await page.getByLabel('Answer format').selectOption('JSON_SCHEMA');
      await page.getByLabel('Schema name').fill('book');
      const shown = await recordTexts(page, '.object');
      await say(page, 'A book, please', '12');
      await statusSays(page, '✓ Finished');
      expect(lastChatBody(stack)!).toMatchObject({ response_format: expect.anything() });
      const steps = (await shown()).map((text) => JSON.parse(text) as Record<string, unknown>);
      expect(steps.length).toBeGreaterThanOrEqual(3);
      expect(steps.at(-1)).toEqual({ title: expect.any(String), year: expect.any(Number) });
      // Stream-stable: a key once shown stays, with the same type.
      for (const [i, step] of steps.entries()) {
        for (const [key, value] of Object.entries(step)) expect(typeof steps[i + 1]?.[key]).toBe(i + 1 < steps.length ? typeof value : 'undefined');
      }
      expect(await page.locator('#conversation article.assistant .content').isHidden()).toBe(true);
    });
  });

  it('with introspection off, says it cannot tell and chats without tools', async () => {
    const stack = await startStack(SLOW, { INTROSPECTION: 'false' });
    try {
      const page = await open(stack);
      await page.locator('#structured-hint').filter({ hasText: "could not read this gateway's schema" }).waitFor();
      expect(await page.getByLabel('Tools (JSON array)').isDisabled()).toBe(true);
      expect(await page.getByLabel('Answer format').isDisabled()).toBe(true);
      await say(page, 'Hello', '3');
      await statusSays(page, '✓ Finished (LENGTH) after 3 tokens');
    } finally {
      await stack.stop();
    }
  });

  it('shows RATE_LIMITED with when to retry', async () => {
    const stack = await startStack(SLOW, { RATE_LIMIT_RPM: '1' });
    try {
      const page = await open(stack);
      await say(page, 'Hello', '2');
      await statusSays(page, 'Finished');
      await say(page, 'Hello again', '2');
      await page.getByRole('alert').filter({ hasText: /RATE_LIMITED: .* Retry in \d+ s\./ }).waitFor();
    } finally {
      await stack.stop();
    }
  });

  describe('with API keys', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack(SLOW, { API_KEYS: KEY });
    });
    afterAll(() => stack.stop());

    it('says a wrong key is refused, over HTTP and over the socket (4401), and streams with the right one', async () => {
      const page = await open(stack);
      const health = page.locator('#model-health');
      await health.filter({ hasText: 'UNAUTHENTICATED' }).waitFor();

      await page.getByLabel('API key (optional)').fill('sk-wrong-0123456789abcdef');
      await page.getByRole('button', { name: 'Use key' }).click();
      await health.filter({ hasText: /UNAUTHENTICATED.*Enter a valid API key/ }).waitFor();

      await page.getByLabel('API key (optional)').fill(KEY);
      await page.getByLabel('API key (optional)').press('Enter');
      await health.filter({ hasText: 'Health: ✓ Available' }).waitFor();
      await say(page, 'Hello', '3');
      await statusSays(page, '✓ Finished (LENGTH) after 3 tokens');

      // The model stays chosen when a key fails: the socket then refuses it.
      await page.getByLabel('API key (optional)').fill('sk-wrong-0123456789abcdef');
      await page.getByRole('button', { name: 'Use key' }).click();
      await health.filter({ hasText: 'UNAUTHENTICATED' }).waitFor();
      await say(page, 'Hello again', '3');
      await page.getByRole('alert').filter({ hasText: 'refused the API key (WebSocket closed with 4401)' }).waitFor();
      await statusSays(page, 'Failed after 0 tokens');
    });
  });
});
