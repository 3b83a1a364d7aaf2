// Requests refused before yoga runs (no key, CSRF) are answered in the media
// type the client accepts, as yoga answers every other GraphQL request, their
// statuses kept: Apollo's HttpLink (which accepts graphql-response+json first)
// reads a 401's UNAUTHENTICATED only from an application/graphql-response+json body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { startGateway, startSimulators } from './harness.ts';

const KEY = 'sk-refusal-0123456789abcdef';
/** What Apollo Client's HttpLink sends. */
const APOLLO_ACCEPT = 'application/graphql-response+json,application/json;q=0.9';

describe('a GraphQL request refused at the door', () => {
  let sims: Simulator[];
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    sims = await startSimulators(1);
    gateway = await startGateway({ SIM: sims }, { API_KEYS: KEY });
  });
  afterAll(async () => {
    await gateway.app.stop(0);
    await Promise.all(sims.map((s) => s.close()));
  });

  const refused = async (headers: Record<string, string>) => {
    const res = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: '{ models { id } }' }) });
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    return { status: res.status, type: res.headers.get('content-type'), code: body.errors[0]!.extensions.code };
  };

  it.each([
    [APOLLO_ACCEPT, 'application/graphql-response+json; charset=utf-8'],
    ['application/graphql-response+json', 'application/graphql-response+json; charset=utf-8'],
    ['application/json', 'application/json; charset=utf-8'],
    ['application/json, application/graphql-response+json;q=0.5', 'application/json; charset=utf-8'],
    ['*/*', 'application/json; charset=utf-8'],
  ])('without a key, accepting %s: 401 UNAUTHENTICATED as %s', async (accept, type) => {
    expect(await refused({ 'content-type': 'application/json', accept })).toEqual({ status: 401, type, code: 'UNAUTHENTICATED' });
  });

  it('without an Accept header: 401 as application/json', async () => {
    expect(await refused({ 'content-type': 'application/json' })).toEqual({ status: 401, type: 'application/json; charset=utf-8', code: 'UNAUTHENTICATED' });
  });

  it('that a browser could forge (CSRF): 403 in the accepted type too', async () => {
    expect(await refused({ 'content-type': 'text/plain', accept: APOLLO_ACCEPT, 'x-api-key': KEY }))
      .toEqual({ status: 403, type: 'application/graphql-response+json; charset=utf-8', code: 'BAD_REQUEST' });
  });
});
