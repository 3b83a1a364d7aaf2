// The playground after a network drop, in headless chromium: the page's
// connection is cut mid-answer (the browser goes offline, or the socket is
// closed under it) and restored, and the answer ends as an uninterrupted run
// of the same seeded request ends, from one generation upstream, without the
// user doing anything. The simulator writes a token every 30 ms, so a cut
// lands mid-stream. And an answer the gateway continued on another replica
// shows as the one answer it is.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithChromium } from '../support/chromium.ts';
import { eventually, startStack, type Stack } from './harness.ts';
import { recordTexts, say, statusSays, tokenCount, usePlaygroundPages } from './playground-page.ts';
import { ROUTES, startPool } from './protocols.ts';

const SLOW = { timeToFirstTokenMs: 20, timePerTokenMs: 30 };
/** Long enough that nothing in a test outlives it by accident: what ends a generation here is the page. */
const RESUME_MS = '60000';
const TOKENS = '60';

const answerText = (page: Page) => page.locator('#conversation article.assistant .content').last().innerText();

/** Every status line the page shows from now on, in order. */
async function recordStatuses(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (globalThis as unknown as { statuses: string[] }).statuses = seen;
    const status = document.getElementById('status')!;
    new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (globalThis as unknown as { statuses: string[] }).statuses);
}

describeWithChromium('the playground after a network drop', () => {
  const pages = usePlaygroundPages();
  const chats = (stack: Stack) => stack.simulators[0]!.stats().requestsByRoute['POST /v1/chat/completions'] ?? 0;

  /** The page set for the same seeded request every time. */
  async function open(stack: Stack): Promise<Page> {
    const page = await pages.open(stack);
    await page.locator('#model-health').filter({ hasText: 'Available' }).waitFor();
    await page.getByLabel('Seed').fill('7');
    return page;
  }

  /** The answer to the seeded request with nothing in its way. */
  async function uninterrupted(page: Page, message: string): Promise<string> {
    await say(page, message, TOKENS);
    await statusSays(page, '✓ Finished');
    const answer = await answerText(page);
    await page.getByRole('button', { name: 'New chat' }).click();
    return answer;
  }

  describe('with resume on', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack(SLOW, { STREAM_RESUME_MS: RESUME_MS });
    });
    afterAll(() => stack.stop());

    it('picks the answer up by itself when the page comes back online: the same text as an uninterrupted run, one generation upstream, the status saying so politely', async () => {
      const page = await open(stack);
      const whole = await uninterrupted(page, 'Tell me a story');
      expect(whole.length).toBeGreaterThan(0);
      const statuses = await recordStatuses(page);
      const before = { chats: chats(stack), aborted: stack.simulators[0]!.stats().abortedStreams };

      await say(page, 'Tell me a story', TOKENS);
      await expect.poll(() => tokenCount(page)).toBeGreaterThanOrEqual(8);
      await pages.context().setOffline(true);
      await statusSays(page, 'Connection lost: reconnecting…');
      const cutAt = await tokenCount(page);
      expect(cutAt).toBeLessThan(Number(TOKENS));
      await page.waitForTimeout(600); // twenty token times: the generation runs on, detached
      expect(await tokenCount(page)).toBe(cutAt);

      await pages.context().setOffline(false);
      await statusSays(page, '✓ Finished (LENGTH) after 60 tokens');
      expect(await answerText(page)).toBe(whole);
      expect(chats(stack)).toBe(before.chats + 1);
      expect(stack.simulators[0]!.stats().abortedStreams).toBe(before.aborted);
      expect(await statuses()).toEqual(expect.arrayContaining(['… Connection lost: reconnecting…', '… Resumed: answering']));
      expect(await page.locator('#status').getAttribute('role')).toBe('status'); // a polite live region
      // One answer in the conversation, one note at its end.
      expect(await page.locator('#conversation article.assistant').count()).toBe(1);
      expect(await page.locator('#conversation article.assistant .note').innerText()).toBe('Finished: LENGTH.');
    });

    it('picks the answer up when its socket is closed under it (a proxy or a gateway going away)', async () => {
      const page = await open(stack);
      // The page's sockets go through the test, which can close one as a proxy would.
      const routes: { close(options: { code: number; reason: string }): Promise<void> }[] = [];
      await page.routeWebSocket(stack.wsUrl, (ws) => {
        ws.connectToServer();
        routes.push(ws);
      });
      await page.reload(); // routing takes sockets of pages loaded after it
      await page.locator('#model-health').filter({ hasText: 'Available' }).waitFor();
      await page.getByLabel('Seed').fill('7');
      const whole = await uninterrupted(page, 'Tell me about GPUs');
      const before = chats(stack);

      await say(page, 'Tell me about GPUs', TOKENS);
      await expect.poll(() => tokenCount(page)).toBeGreaterThanOrEqual(8);
      await routes.at(-1)!.close({ code: 1001, reason: 'going away' });
      await statusSays(page, '✓ Finished (LENGTH) after 60 tokens');
      expect(routes.length).toBeGreaterThanOrEqual(2);
      expect(await answerText(page)).toBe(whole);
      expect(chats(stack)).toBe(before + 1);
    });

    it('picks the answer up when its socket goes quiet without closing (a laptop asleep, a NAT that forgot it): the pings go unanswered', async () => {
      const page = await open(stack);
      const whole = await uninterrupted(page, 'Tell me about TPUs');
      // A link the test can freeze: nothing passes either way, and nothing says so.
      const links: { frozen: boolean }[] = [];
      await page.routeWebSocket(stack.wsUrl, (ws) => {
        const server = ws.connectToServer();
        const link = { frozen: false };
        ws.onMessage((message) => link.frozen || server.send(message));
        server.onMessage((message) => link.frozen || ws.send(message));
        links.push(link);
      });
      await page.reload(); // routing takes sockets of pages loaded after it
      await page.locator('#model-health').filter({ hasText: 'Available' }).waitFor();
      await page.getByLabel('Seed').fill('7');
      const statuses = await recordStatuses(page);
      const before = chats(stack);

      await say(page, 'Tell me about TPUs', TOKENS);
      await expect.poll(() => tokenCount(page)).toBeGreaterThanOrEqual(8);
      links.at(-1)!.frozen = true;
      // A ping within 5 s, closed as lost 3 s after it; the resume then replays what was missed at once.
      await page.locator('#status').filter({ hasText: '✓ Finished (LENGTH) after 60 tokens' }).waitFor({ timeout: 15_000 });
      expect(await statuses()).toEqual(expect.arrayContaining(['… Connection lost: reconnecting…', '… Resumed: answering']));
      expect(links.length).toBeGreaterThanOrEqual(2);
      expect(await answerText(page)).toBe(whole);
      expect(chats(stack)).toBe(before + 1);
    });

    it('Stop while the connection is lost ends the generation upstream (cancelGeneration, sent once the page is back online)', async () => {
      const page = await open(stack);
      const before = stack.simulators[0]!.stats().abortedStreams;
      await say(page, 'Tell me a long story', '200');
      await expect.poll(() => tokenCount(page)).toBeGreaterThanOrEqual(5);
      await pages.context().setOffline(true);
      await statusSays(page, 'reconnecting');
      await page.getByRole('button', { name: 'Stop' }).click();
      await statusSays(page, 'Stopped after');
      const stoppedAt = await tokenCount(page);

      await pages.context().setOffline(false);
      // Long before STREAM_RESUME_MS (60 s) would have let it go.
      await eventually(() => {
        const s = stack.simulators[0]!.stats();
        return s.abortedStreams > before && s.activeStreams === 0;
      }, 5_000, 'the simulator to see the stream aborted');
      await page.waitForTimeout(150);
      expect(await tokenCount(page)).toBe(stoppedAt);
    });

    it('closing the page mid-answer ends the generation upstream, not left running for nobody', async () => {
      const page = await open(stack);
      const before = stack.simulators[0]!.stats().abortedStreams;
      await say(page, 'Tell me a long story', '200');
      await expect.poll(() => tokenCount(page)).toBeGreaterThanOrEqual(5);
      await page.close({ runBeforeUnload: true });
      // Long before STREAM_RESUME_MS (60 s) would have let it go.
      await eventually(() => {
        const s = stack.simulators[0]!.stats();
        return s.abortedStreams > before && s.activeStreams === 0;
      }, 5_000, 'the simulator to see the stream aborted');
    });

    it('a JSON answer cut mid-way ends as the same object, each partial value shown once', async () => {
      stack.simulators[0]!.setTiming({ timePerTokenMs: 100 });
      try {
        const page = await open(stack);
        await page.getByLabel('Answer format').selectOption('JSON_SCHEMA');
        await say(page, 'A book, please', '12');
        await statusSays(page, '✓ Finished');
        const whole = await page.locator('#conversation article.assistant .object').innerText();
        await page.getByRole('button', { name: 'New chat' }).click();

        const shown = await recordTexts(page, '.object');
        await say(page, 'A book, please', '12');
        await page.locator('#conversation article.assistant .object').waitFor();
        await pages.context().setOffline(true);
        await statusSays(page, 'reconnecting');
        await page.waitForTimeout(300);
        await pages.context().setOffline(false);
        await statusSays(page, '✓ Finished');
        expect(await page.locator('#conversation article.assistant .object').innerText()).toBe(whole);
        const steps = await shown();
        expect(new Set(steps).size).toBe(steps.length);
        expect(steps.at(-1)).toBe(whole);
      } finally {
        stack.simulators[0]!.setTiming({ timePerTokenMs: SLOW.timePerTokenMs });
      }
    });
    it('a tool call cut mid-way ends with the same arguments, its name announced once', async () => {
      stack.simulators[0]!.setTiming({ timePerTokenMs: 100 });
      try {
        const page = await open(stack);
        await page.locator('#structured-hint').filter({ hasText: 'Tool calls stream in' }).waitFor();
        await page.getByRole('button', { name: 'Insert an example' }).click();
        await say(page, 'What does get_weather say for Paris?', '12');
        await statusSays(page, '✓ Finished (TOOL_CALLS)');
        // Call ids are made per generation: the arguments are what must match.
        const whole = await page.locator('#conversation article.assistant .call .arguments').innerText();
        await page.getByRole('button', { name: 'New chat' }).click();

        await say(page, 'What does get_weather say for Paris?', '12');
        await page.locator('#conversation article.assistant .call code').filter({ hasText: 'get_weather' }).waitFor();
        await pages.context().setOffline(true);
        await statusSays(page, 'reconnecting');
        await page.waitForTimeout(300);
        await pages.context().setOffline(false);
        await statusSays(page, '✓ Finished (TOOL_CALLS)');
        expect(await page.locator('#conversation article.assistant .call .arguments').innerText()).toBe(whole);
        expect(await page.locator('#conversation article.assistant .call').count()).toBe(1);
        const announced = await page.locator('#announcer p').allInnerTexts();
        expect(announced.filter((line) => line === 'Calling the tool get_weather.')).toHaveLength(1);
      } finally {
        stack.simulators[0]!.setTiming({ timePerTokenMs: SLOW.timePerTokenMs });
      }
    });
  });

  it('says clearly when the gateway no longer has the answer (GENERATION_NOT_FOUND)', async () => {
    const stack = await startStack(SLOW, { STREAM_RESUME_MS: '300' });
    try {
      const page = await open(stack);
      await say(page, 'Tell me a long story', '200');
      await expect.poll(() => tokenCount(page)).toBeGreaterThanOrEqual(5);
      await pages.context().setOffline(true);
      await statusSays(page, 'reconnecting');
      await eventually(() => stack.simulators[0]!.stats().activeStreams === 0, 3_000, 'the detached generation to run out');
      await pages.context().setOffline(false);
      await page.getByRole('alert').filter({ hasText: /the gateway no longer has it\. Send the message again\. \(GENERATION_NOT_FOUND: / }).waitFor();
      await statusSays(page, '✗ Failed');
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Tell me a long story');
    } finally {
      await stack.stop();
    }
  });

  it('says clearly when the part missed is no longer kept (GENERATION_EXPIRED)', async () => {
    // Room for a few dozen events: a long answer run on while the page is offline pushes out the ones it missed.
    const stack = await startStack(SLOW, { STREAM_RESUME_MS: RESUME_MS, STREAM_RESUME_MAX_BYTES: '4096' });
    try {
      const page = await open(stack);
      await say(page, 'Tell me a long story', '200');
      await expect.poll(() => tokenCount(page)).toBeGreaterThanOrEqual(3);
      await pages.context().setOffline(true);
      await statusSays(page, 'reconnecting');
      const cutAt = await tokenCount(page);
      await eventually(() => stack.simulators[0]!.stats().tokensGenerated > cutAt + 120, 10_000, 'the generation to run well past the bound');
      await pages.context().setOffline(false);
      await page.getByRole('alert').filter({ hasText: /the part missed meanwhile is no longer kept\. Send the message again\. \(GENERATION_EXPIRED: / }).waitFor();
      await statusSays(page, '✗ Failed');
      // What runs on of it cannot be shown: it is stopped, not left to its end.
      await eventually(() => stack.simulators[0]!.stats().abortedStreams === 1 && stack.simulators[0]!.stats().activeStreams === 0, 5_000, 'the generation to be stopped');
    } finally {
      await stack.stop();
    }
  });

  it('with resume off on the gateway (STREAM_RESUME_MS=0), chats as before', async () => {
    const stack = await startStack(SLOW, { STREAM_RESUME_MS: '0' });
    try {
      const page = await open(stack);
      await say(page, 'Hello', '3');
      await statusSays(page, '✓ Finished (LENGTH) after 3 tokens');
      await say(page, 'Hello again', '3');
      await statusSays(page, '✓ Finished (LENGTH) after 3 tokens');
      expect(await page.getByRole('alert').innerText()).toBe('');
    } finally {
      await stack.stop();
    }
  });

  it('shows an answer continued on another replica (its first replica reset mid-stream) as one answer', async () => {
    const pool = await startPool('openai', { replicas: 2, sim: SLOW });
    try {
      // A fresh model's first pick is its first replica.
      pool.sims[0]!.setFaults({ dropAfterTokens: 5, times: 1 });
      const page = await pages.open(pool);
      await page.locator('#model-health').filter({ hasText: 'Available' }).waitFor();
      const statuses = await recordStatuses(page);
      await say(page, 'Tell me about GPUs', '20');
      await statusSays(page, '✓ Finished (LENGTH) after 20 tokens');
      const continued = pool.sims[1]!.lastRequest(ROUTES.openai.chat)!.body as { messages: { role: string; content: string }[] };
      const relayed = continued.messages.at(-1)!;
      expect(relayed.role).toBe('assistant');
      const answer = await answerText(page);
      expect(answer.startsWith(relayed.content)).toBe(true);
      expect(answer.length).toBeGreaterThan(relayed.content.length);
      // No seam: one answer, one note, no reconnect, no error.
      expect(await page.locator('#conversation article.assistant').count()).toBe(1);
      expect(await page.locator('#conversation article.assistant .note').innerText()).toBe('Finished: LENGTH.');
      expect((await statuses()).filter((s) => /reconnecting|Resumed/.test(s))).toEqual([]);
      expect(await page.getByRole('alert').innerText()).toBe('');

      // The next turn carries it as one assistant message.
      await say(page, 'Go on', '2');
      await statusSays(page, '✓ Finished');
      const next = pool.sims.map((s) => s.lastRequest(ROUTES.openai.chat)!.body as { messages: unknown[] }).find((b) => b.messages.length === 4)!;
      expect(next.messages.slice(1)).toEqual([
        { role: 'user', content: 'Tell me about GPUs' },
        { role: 'assistant', content: answer },
        { role: 'user', content: 'Go on' },
      ]);
    } finally {
      await pool.stop();
    }
  });
});
