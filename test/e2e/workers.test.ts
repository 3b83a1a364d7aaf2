// WORKERS=N: N gateway processes on one port, one scrape of /metrics seeing
// every worker, a worker that dies replaced, and SIGTERM to the primary
// draining and stopping them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { eventually } from './harness.ts';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const GENERATE = JSON.stringify({ query: 'mutation { generate(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 2}) { generatedText } }' });

interface Line { msg?: string; url?: string; worker?: string; pid?: number }

describe('WORKERS=2', () => {
  let simulator: Simulator;
  let primary: ChildProcess;
  const lines: Line[] = [];
  const listening = () => lines.filter((l) => l.msg === 'gateway listening');
  let url: string;

  beforeAll(async () => {
    simulator = await startSimulator({ timeToFirstTokenMs: 1, timePerTokenMs: 1 });
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TGI_')));
    // A fixed port is what workers share; the OS picks a free one for the test (PORT=0 would give each its own).
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    primary = spawn(process.execPath, [main], {
      cwd: mkdtempSync(join(tmpdir(), 'gateway-')),
      env: { ...env, WORKERS: '2', PORT: String(port), HOST: '127.0.0.1', TGI_SIM_ENDPOINT: simulator.url, SHUTDOWN_DRAIN_MS: '1000', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    primary.stdout!.on('data', (chunk: Buffer) => {
      buffered += String(chunk);
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as Line);
    });
    await eventually(() => listening().length === 2, 60_000, 'two workers listening');
    url = `http://127.0.0.1:${port}`;
  }, 90_000);
  afterAll(async () => {
    if (primary.exitCode === null) primary.kill('SIGKILL');
    await simulator.close();
  });

  const generate = () => fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: GENERATE }).then((r) => r.json());

  it('serves from both workers on one port, and one scrape of /metrics shows each', async () => {
    expect(new Set(listening().map((l) => l.worker)).size).toBe(2);
    for (let i = 0; i < 20; i++) expect(await generate()).toMatchObject({ data: { generate: { generatedText: expect.any(String) } } });
    const text = await (await fetch(`${url}/metrics`)).text();
    const workers = new Set([...text.matchAll(/tgi_gateway_requests_total\{[^}]*worker="(\d+)"[^}]*\}/g)].map((m) => m[1]));
    expect(workers.size).toBe(2);
    const total = [...text.matchAll(/^tgi_gateway_requests_total\{[^}]*code="OK"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(total).toBe(20);
  });

  it('replaces a worker that dies', async () => {
    const victim = listening()[0]!;
    process.kill(victim.pid!, 'SIGKILL');
    await eventually(() => lines.some((l) => l.msg === 'worker died: starting another'), 30_000, 'the primary to notice');
    await eventually(() => listening().length === 3, 60_000, 'a new worker');
    for (let i = 0; i < 6; i++) expect(await generate()).toMatchObject({ data: { generate: expect.any(Object) } });
  });

  it('drains and stops every worker on SIGTERM to the primary, then exits 0', async () => {
    const pids = listening().slice(-2).map((l) => l.pid!);
    const exited = new Promise<number | null>((resolve) => primary.once('exit', resolve));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(lines.filter((l) => l.msg === 'stopped').length).toBeGreaterThanOrEqual(3); // two workers and the primary
  });
});
