// Error messages that echo a client's value: building them never blocks the
// event loop (no regex on client text backtracks), and they are capped in
// length, so that a large request does not earn an even larger answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, slowestHealthzDuring, startGatewayProcess, type GatewayProcess } from './gateway-process.ts';

const GENERATE = 'mutation($i: GenerateInput!) { generate(input: $i) { generatedText } }';
/** About 208 KB of the words the suggestion stripper looks for. */
const BAIT = 'Did you mean '.repeat(16_000);

async function postGraphQL(url: string, body: unknown) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(text), errors: (JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] }).errors };
}

describe('error messages that echo a large client value, in production', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayProcess({ NODE_ENV: 'production' });
  });
  afterAll(() => gateway.stop());

  it('are built without blocking /healthz, and capped in length', async () => {
    const answers: Awaited<ReturnType<typeof postGraphQL>>[] = [];
    const healthz = await slowestHealthzDuring(gateway, async () => {
      for (let i = 0; i < 3; i++) {
        answers.push(await postGraphQL(gateway.url, { query: GENERATE, variables: { i: { modelId: 'simulator', prompt: 'x', maxNewTokens: `${BAIT}?` } } }));
        answers.push(await postGraphQL(gateway.url, { query: GENERATE, variables: { i: { modelId: 'simulator', prompt: 'x', maxNewTokens: BAIT } } }));
      }
    });
    expect(alive(gateway)).toBe(true);
    expect(healthz.slowest, `slowest /healthz (idle: ${healthz.baseline.toFixed(0)} ms)`).toBeLessThan(healthz.allowed);
    for (const answer of answers) {
      expect(answer.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
      // The request was 208 KB; the answer names the problem in a few hundred bytes.
      expect(answer.bytes).toBeLessThan(4096);
      expect(answer.errors[0]!.message).toMatch(/^Variable "\$i" got invalid value/);
      expect(answer.errors[0]!.message).toMatch(/Int cannot represent non-integer value/);
    }
  });

  it('still hide the suggestions that follow a long echoed value', async () => {
    const { errors } = await postGraphQL(gateway.url, { query: GENERATE, variables: { i: { modelid: BAIT, prompt: 'x' } } });
    expect(errors[0]!.message).not.toMatch(/Did you mean "modelId"/);
    expect(errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});
