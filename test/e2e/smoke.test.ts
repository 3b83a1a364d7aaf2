// `npm run smoke -- --url ...` against a running gateway: each step printed,
// exit 0 when all pass, exit 1 naming the step that failed.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.ts';

const smoke = fileURLToPath(new URL('../../scripts/smoke.ts', import.meta.url));
const run = (args: string[]) => promisify(execFile)(process.execPath, [smoke, ...args], { timeout: 30_000 })
  .then(({ stdout }) => ({ code: 0, stdout }), (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }));

describe('npm run smoke', () => {
  let open: Stack;
  let keyed: Stack;
  beforeAll(async () => {
    [open, keyed] = await Promise.all([startStack(), startStack({}, { API_KEYS: 'sk-smoke-0123456789abcd' })]);
  });
  afterAll(async () => {
    await Promise.all([open.stop(), keyed.stop()]);
  });

  it('checks the API is up, lists models with health, generates and streams, printing each step', async () => {
    const { code, stdout } = await run(['--url', open.url, '--max-new-tokens', '5']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/- the gateway is alive \(\/healthz\) and ready \(\/readyz\) \.\.\. ok/);
    expect(stdout).toMatch(/sim\s+AVAILABLE/);
    expect(stdout).toMatch(/- generate on "sim" \.\.\. ok/);
    expect(stdout).toMatch(/- chat on "sim" \.\.\. ok/);
    expect(stdout).toMatch(/5 tokens, LENGTH/);
    expect(stdout).toMatch(/5 tokens, first after \d+ ms/);
    expect(stdout.trim().split('\n').at(-1)).toBe('smoke: all steps passed');
  });

  it('takes an API key, and fails naming the step when it is missing', async () => {
    const refused = await run(['--url', keyed.url]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/UNAUTHENTICATED/);
    expect(refused.stdout).toMatch(/smoke: failed at "GraphQL answers \(info\)"/);
    expect((await run(['--url', keyed.url, '--key', 'sk-smoke-0123456789abcd', '--max-new-tokens', '3'])).code).toBe(0);
  });

  it('fails at the first step when nothing answers', async () => {
    const { code, stdout } = await run(['--url', 'http://127.0.0.1:9']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/smoke: failed at "the gateway is alive/);
  });
});
