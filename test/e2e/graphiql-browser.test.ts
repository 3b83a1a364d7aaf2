// GraphiQL in a real browser, as a user meets it: open /graphql, run each
// operation of its first document as it is, and see the answers (and a
// subscription's events) arrive. GraphiQL sends what it sends (a subscription
// as its own fetcher sees fit), so this is the test of the CSRF check's
// exemption for the gateway's own page, not a hand-written request.
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, launchChromium } from '../support/chromium.ts';
import { startStack, type Stack } from './harness.ts';

/** Each operation of the first document, and a text its answer shows once it has arrived whole. */
const OPERATIONS: Array<[name: string, answered: RegExp]> = [
  ['Chat', /"finishReason":\s*"(LENGTH|EOS_TOKEN|STOP_SEQUENCE)"/],
  ['Reply', /"content":\s*"/],
  ['Stream', /"generatedTokens":\s*\d+/],
  ['Models', /"id":\s*"sim"/],
];

describeWithChromium('GraphiQL in a browser', () => {
  let browser: Browser;
  let stack: Stack;
  beforeAll(async () => {
    // Slow enough (40 tokens in about 1.2 s) that the events can be seen arriving.
    [browser, stack] = await Promise.all([launchChromium(), startStack({ timeToFirstTokenMs: 20, timePerTokenMs: 30 })]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Runs one operation as a user would: Run, then its name in the menu GraphiQL shows for a document of several. */
  async function run(page: Page, name: string): Promise<void> {
    await page.locator('.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name, exact: true }).click();
  }

  it('runs every operation of its first document as it is; the subscriptions stream their events', async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(30_000);
    const refused: string[] = [];
    const introspections: Response[] = [];
    const page = await context.newPage();
    page.on('response', (res) => {
      if (!res.url().startsWith(`${stack.url}/graphql`)) return;
      if (res.status() >= 400) refused.push(`${res.request().method()} ${res.status()}`);
      if (res.request().postData()?.includes('__schema')) introspections.push(res);
    });
    try {
      await page.goto(`${stack.url}/graphql`);
      await page.locator('.graphiql-execute-button').waitFor();
      const generations = () => Object.entries(stack.simulators[0]!.stats().requestsByRoute).filter(([route]) => route.startsWith('POST ')).length;
      for (const [name, answered] of OPERATIONS) {
        await run(page, name);
        const indexes = new Set<string>();
        await expect.poll(async () => {
          const shown = await page.locator('.result-window').innerText();
          indexes.add(/"index":\s*(\d+)/.exec(shown)?.[1] ?? '');
          return shown;
        }, { timeout: 30_000, interval: 50, message: name }).toMatch(answered);
        // A subscription's events are shown one after another as they arrive.
        if (name === 'Chat' || name === 'Stream') expect(indexes.size, `${name}: events seen`).toBeGreaterThan(3);
        expect(await page.locator('.result-window').innerText(), name).not.toMatch(/"errors"/);
      }
      expect(refused).toEqual([]);
      // Its docs: the schema came from the standard introspection query, within the limits.
      expect(introspections.length).toBeGreaterThan(0);
      expect(await introspections[0]!.text()).toMatch(/^\{"data":\{"__schema"/);
      // chatStream and chat (the Messages API), generateStream: each reached the model server.
      expect(generations()).toBeGreaterThanOrEqual(2);
    } finally {
      await context.close();
    }
  }, 120_000);
});
