// Debian's chromium, driven by playwright-core, for the tests of the pages the
// gateway serves. playwright-core downloads no browser: this one comes from apt.
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe, it } from 'vitest';

/** `CHROMIUM_PATH` points elsewhere on machines whose chromium is not Debian's. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const chromiumInstalled = isExecutable(CHROMIUM_PATH);

/**
 * `describe` for suites that need chromium. Without it they are skipped (with
 * the reason printed) on a developer's machine, and fail where `CI` is set, so
 * that CI cannot skip them silently.
 */
export function describeWithChromium(name: string, suite: () => void): void {
  if (chromiumInstalled) {
    describe(name, suite);
    return;
  }
  const reason = `chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0') {
    describe(name, () => it(`needs chromium: ${reason}`, () => {
      throw new Error(`${reason}; CI must run the browser tests`);
    }));
    return;
  }
  console.warn(`skipping "${name}": ${reason}`);
  describe.skip(name, suite);
}

/** Headless, with a fresh temporary profile (playwright's default), and none of Chromium's own traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    timeout: 30_000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // Containers often give /dev/shm 64 MB, too little for a renderer.
      '--disable-dev-shm-usage',
    ],
  });
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
