// The playground in headless chromium, for the suites that drive it: one
// browser per suite, a fresh context per page, and after each test the proof
// that no request left the gateway's origin and that the page threw nothing.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchChromium } from '../support/chromium.ts';

/** Where a gateway listens (a Stack, a Pool). */
type Gateway = { url: string; wsUrl: string };

export interface PlaygroundPages {
  /** A fresh browser context on the page; anything not for the gateway is recorded and refused. */
  open(stack: Gateway): Promise<Page>;
  /** The context of the page opened last. */
  context(): BrowserContext;
}

/** Registers the suite's hooks (call it inside a `describeWithChromium`). */
export function usePlaygroundPages(): PlaygroundPages {
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

  return {
    async open(stack) {
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
    },
    context: () => context!,
  };
}

export const text = (page: Page, id: string) => page.locator(`#${id}`).innerText();
export const tokenCount = async (page: Page) => Number(await text(page, 'completion-tokens'));
/** Waits, at most 5 s (the context's default), for the page's status line to say `words`. */
export const statusSays = (page: Page, words: string) => page.locator('#status').filter({ hasText: words }).waitFor();
export const messages = (page: Page) => page.locator('#conversation article');

export async function say(page: Page, message: string, maxTokens: string): Promise<void> {
  await page.getByLabel('Max tokens').fill(maxTokens);
  await page.getByLabel('Message', { exact: true }).fill(message);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

/** Every distinct text the page showed in `selector` (within the conversation's last article) from now on, in order. */
export async function recordTexts(page: Page, selector: string): Promise<() => Promise<string[]>> {
  await page.evaluate((sel) => {
    const seen: string[] = [];
    (globalThis as unknown as { seen: string[] }).seen = seen;
    new MutationObserver(() => {
      const text = document.querySelector(`#conversation article:last-of-type ${sel}`)?.textContent;
      if (text && text !== seen.at(-1)) seen.push(text);
    }).observe(document.getElementById('conversation')!, { subtree: true, childList: true, characterData: true });
  }, selector);
  return () => page.evaluate(() => (globalThis as unknown as { seen: string[] }).seen);
}
