// The streaming playground at /playground: a static page whose CSP allows only
// its own inline scripts and connections to the gateway, then the page itself
// in headless chromium, against a simulator slow enough (30 ms a token) to be
// stopped mid-way. No request may leave the gateway's origin.
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeWithChromium, launchChromium } from '../support/chromium.ts';
import { eventually, startStack, type Stack } from './harness.ts';

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
    expect(html).toContain('<textarea id="prompt"');
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
  let browser: Browser;
  let context: BrowserContext | undefined;
  let offOrigin: string[] = [];
  let scriptErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  }, 90_000);
  afterAll(() => browser?.close());
  afterEach(async () => {
    await context?.close();
    context = undefined;
    expect(offOrigin, 'requests that left the gateway').toEqual([]);
    expect(scriptErrors, 'uncaught errors and CSP violations in the page').toEqual([]);
  });

  /** A fresh browser context on the page; anything not for the gateway is recorded and refused. */
  async function open(stack: Stack): Promise<Page> {
    offOrigin = [];
    scriptErrors = [];
    context = await browser.newContext();
    context.setDefaultTimeout(5_000);
    const ours = (url: string) => url.startsWith(`${stack.url}/`) || url === stack.wsUrl || url.startsWith('data:');
    await context.route('**/*', (route) => {
      if (ours(route.request().url())) return route.continue();
      offOrigin.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    page.on('websocket', (ws) => ours(ws.url()) || offOrigin.push(ws.url()));
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    // A 401 from /graphql is logged as a console error too: only the CSP's reports count.
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && scriptErrors.push(m.text()));
    await page.goto(`${stack.url}/playground`);
    return page;
  }

  const text = (page: Page, id: string) => page.locator(`#${id}`).innerText();
  const tokenCount = async (page: Page) => Number(await text(page, 'token-count'));
  /** Waits, at most 5 s (the context's default), for the page's status line to say `words`. */
  const statusSays = (page: Page, words: string) => page.locator('#status').filter({ hasText: words }).waitFor();

  async function generate(page: Page, prompt: string, maxNewTokens: string): Promise<void> {
    await page.getByLabel('Prompt').fill(prompt);
    await page.getByLabel('Max new tokens').fill(maxNewTokens);
    await page.getByRole('button', { name: 'Generate' }).click();
  }

  describe('without API keys', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack(SLOW);
    });
    afterAll(() => stack.stop());

    it('lists the models with their health, every control labelled, the output a polite live region', async () => {
      const page = await open(stack);
      await expect.poll(() => page.getByLabel('Model').locator('option').allInnerTexts(), { timeout: 5_000 }).toEqual(['sim: ✓ Available']);
      await page.locator('#model-health').filter({ hasText: 'Health: ✓ Available' }).waitFor();
      const unlabelled = await page.$$eval('input, select, textarea', (els) => els.filter((el) => (el as HTMLInputElement).labels?.length === 0).map((el) => el.id));
      expect(unlabelled).toEqual([]);
      expect(await page.locator('#output').getAttribute('aria-live')).toBe('polite');
      for (const label of ['Max new tokens', 'Temperature', 'Top p', 'Seed', 'API key (optional)']) await page.getByLabel(label).waitFor();
    });

    it('streams tokens as they arrive, and Stop ends the generation upstream', async () => {
      const page = await open(stack);
      const before = stack.simulators[0]!.stats().abortedStreams;
      await generate(page, 'Tell me a long story', '200');
      await expect.poll(() => tokenCount(page), { timeout: 5_000 }).toBeGreaterThanOrEqual(5);
      expect((await text(page, 'output')).length).toBeGreaterThan(0);
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
    });

    it('works from the keyboard alone: Ctrl+Enter generates, Escape stops, focus goes from Generate to Stop and back', async () => {
      const page = await open(stack);
      await page.locator('#model-health').filter({ hasText: 'Available' }).waitFor();
      await page.getByLabel('Prompt').focus();
      await page.keyboard.press('Control+Enter');
      await expect.poll(() => tokenCount(page), { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
      await page.keyboard.press('Escape');
      await statusSays(page, 'Stopped after');

      await page.getByRole('button', { name: 'Generate' }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id), { timeout: 2_000 }).toBe('stop');
      await page.keyboard.press('Enter');
      await statusSays(page, 'Stopped after');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('generate');
      await eventually(() => stack.simulators[0]!.stats().activeStreams === 0, 3_000, 'the streams to end upstream');
    });

    it('runs to the end and shows the finish reason', async () => {
      const page = await open(stack);
      await generate(page, 'Hello', '5');
      await statusSays(page, '✓ Finished (LENGTH) after 5 tokens');
      expect(await text(page, 'finish-reason')).toBe('LENGTH');
      expect(await tokenCount(page)).toBe(5);
      expect(await page.getByRole('button', { name: 'Generate' }).isEnabled()).toBe(true);
    });

    it('shows a refused input with its code and field, and marks the field', async () => {
      const page = await open(stack);
      await page.getByLabel('Top p').fill('1.5');
      await generate(page, 'Hello', '5');
      await page.getByRole('alert').filter({ hasText: /BAD_USER_INPUT: .*\(field: topP\)/ }).waitFor();
      expect(await page.getByLabel('Top p').getAttribute('aria-invalid')).toBe('true');
      expect(await tokenCount(page)).toBe(0);
    });
  });

  it('shows RATE_LIMITED with when to retry', async () => {
    const stack = await startStack(SLOW, { RATE_LIMIT_RPM: '1' });
    try {
      const page = await open(stack);
      await generate(page, 'Hello', '2');
      await statusSays(page, 'Finished');
      await page.getByRole('button', { name: 'Generate' }).click();
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
      await generate(page, 'Hello', '3');
      await statusSays(page, '✓ Finished (LENGTH) after 3 tokens');

      // The model stays chosen when a key fails: the socket then refuses it.
      await page.getByLabel('API key (optional)').fill('sk-wrong-0123456789abcdef');
      await page.getByRole('button', { name: 'Use key' }).click();
      await health.filter({ hasText: 'UNAUTHENTICATED' }).waitFor();
      await page.getByRole('button', { name: 'Generate' }).click();
      await page.getByRole('alert').filter({ hasText: 'refused the API key (WebSocket closed with 4401)' }).waitFor();
      await statusSays(page, 'Failed after 0 tokens');
    });
  });
});
