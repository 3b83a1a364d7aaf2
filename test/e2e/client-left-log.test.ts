// A client that leaves a GraphQL-over-HTTP mutation while it runs is no error:
// the gateway notes it (debug) with no stack, and logs no error or warning line
// that an operator's alert would fire on. The access log still says how it ended.
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { eventually, settled, startSimulators } from './harness.ts';
import { startLoggedGateway } from './protocols.ts';

const MUTATION = 'mutation { generate(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 50}) { generatedText } }';

interface LogLine { level: number; msg?: string; component?: string; err?: { stack?: string } }

describe('a client leaving a mutation over HTTP', () => {
  let sims: Simulator[] = [];
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    await Promise.all(sims.map((s) => s.close()));
  });

  it('is logged below warn, without a stack', async () => {
    sims = await startSimulators(1, { timeToFirstTokenMs: 5, timePerTokenMs: 20 });
    const gateway = await startLoggedGateway({ SIM: sims });
    stop = () => gateway.app.stop(0);
    const leaving = new AbortController();
    const answer = fetch(`${gateway.url}/graphql`, {
      method: 'POST', signal: leaving.signal, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: MUTATION }),
    });
    await eventually(() => gateway.app.services.generation.activeGenerations === 1, 2000, 'the generation to start');
    leaving.abort();
    await expect(answer).rejects.toThrow();
    await settled(gateway.app, sims);
    await eventually(() => gateway.log().includes('"component":"access"'), 2000, 'the access log line');

    const lines = gateway.log().trim().split('\n').map((l) => JSON.parse(l) as LogLine);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    expect(lines.filter((l) => l.err?.stack !== undefined)).toEqual([]);
    expect(lines.some((l) => l.level === 20 && l.msg === 'the client left the operation')).toBe(true);
  });
});
