// Distinct large GraphQL documents, each parsed and cached once: the gateway
// refuses documents past MAX_DOCUMENT_BYTES before parsing them, and its parse
// caches are bounded by the text they hold, so memory stays flat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, slowestHealthzDuring, startGatewayProcess, type GatewayProcess } from './gateway-process.ts';

/** A valid query of about `bytes` bytes, distinct for each `n`: the bulk is a string literal. */
const bigQuery = (n: number, bytes: number) => `{ model(id: "${n}-${'x'.repeat(bytes - 40)}") { id } }`;
/** A valid query of about `bytes` bytes made of aliased fields: many tokens, a large syntax tree. */
const manyFields = (n: number, bytes: number) => `{ ${Array.from({ length: Math.floor(bytes / 30) }, (_, j) => `a${n}_${j}: info { name }`).join(' ')} }`;

async function query(url: string, text: string) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: text }) });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] } };
}

/**
 * 40 distinct documents of 1 MB with some 200,000 tokens each (refused; before the limits, these
 * took the gateway from 176 MB to 3.7 GB), and 600 distinct ones of 64 KB (parsed and cached).
 */
async function round(url: string, n: number): Promise<void> {
  for (let i = 0; i < 40; i++) expect((await query(url, manyFields(n * 1000 + i, 1_000_000))).status).toBe(400);
  for (let i = 0; i < 600; i++) expect((await query(url, bigQuery(n * 1000 + i, 64_000))).body).toEqual({ data: { model: null } });
}

/**
 * A round sends 640 requests carrying some 78 MB: about 5 s on an idle machine, several times that
 * on a busy one. The volume is what the test proves (more than the parse caches may hold, round after
 * round), so the warm-up and the rounds get the time they need rather than less work.
 */
const ROUNDS_TIMEOUT_MS = 180_000;

describe('distinct large documents', () => {
  let gateway: GatewayProcess;
  let rssAtStart: number;
  beforeAll(async () => {
    gateway = await startGatewayProcess();
    // One round first: V8 and malloc grow to their working size under 1 MB bodies whatever
    // the gateway keeps. Retained documents would show as growth from here on.
    await round(gateway.url, 0);
    rssAtStart = await gateway.rssAfterGc();
  }, ROUNDS_TIMEOUT_MS / 3);
  afterAll(() => gateway.stop());

  it('refuses a document past MAX_DOCUMENT_BYTES before parsing it', async () => {
    const { status, body } = await query(gateway.url, bigQuery(0, 70_000));
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors![0]!.message).toMatch(/larger than 65536 bytes.*variables/);
  });

  it('refuses a document past MAX_DOCUMENT_TOKENS', async () => {
    const { body } = await query(gateway.url, `{ ${'info { name } '.repeat(600)} }`);
    expect(body.errors![0]!.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors![0]!.message).toMatch(/more that 2000 tokens/);
  });

  it('keeps answering /healthz and stays flat over rounds of distinct documents (the caches are bounded)', async () => {
    const healthz = await slowestHealthzDuring(gateway, async () => {
      for (let n = 1; n <= 3; n++) await round(gateway.url, n);
    });
    expect(alive(gateway)).toBe(true);
    expect(healthz.slowest, `slowest /healthz (idle: ${healthz.baseline.toFixed(0)} ms)`).toBeLessThan(healthz.allowed);
    expect(await gateway.rssAfterGc()).toBeLessThan(rssAtStart * 1.2);
  }, ROUNDS_TIMEOUT_MS);
});
