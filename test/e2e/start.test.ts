// The README's start command on a fresh clone: with no configuration the
// gateway serves the built-in simulator, and a subscription streams from it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateStreamDocument, ModelsDocument } from '../gql/graphql.ts';
import { collectWs, post, wsClient } from './clients.ts';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('starting the gateway with no configuration', () => {
  let child: ChildProcess;
  let url: string;
  const log: string[] = [];
  beforeAll(async () => {
    // An empty directory, so that no .env is found; no TGI_* variables.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TGI_')));
    child = spawn(process.execPath, [main], {
      cwd: mkdtempSync(join(tmpdir(), 'gateway-')),
      env: { ...env, PORT: '0', HOST: '127.0.0.1', SIMULATOR_TTFT_MS: '5', SIMULATOR_TOKEN_MS: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${log.join('')}`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        log.push(String(chunk));
        const listening = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(log.join(''));
        if (listening) resolve(listening[1]!);
      });
      child.stderr!.on('data', (chunk: Buffer) => log.push(String(chunk)));
    });
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('says in its log and in the model name that it serves the built-in simulator', async () => {
    expect(log.join('')).toMatch(/built-in TGI simulator/);
    const { data } = await post(url, ModelsDocument);
    expect(data!.models).toHaveLength(1);
    expect(data!.models[0]).toMatchObject({ id: 'simulator', available: true });
    expect(data!.models[0]!.name).toMatch(/simulator/i);
  });

  it('streams tokens over graphql-ws from the simulator', async () => {
    const client = wsClient(`${url.replace('http', 'ws')}/graphql`);
    const payloads = await collectWs(client, GenerateStreamDocument, { input: { modelId: 'simulator', prompt: 'Hello', maxNewTokens: 5 } });
    await client.dispose();
    expect(payloads).toHaveLength(5);
    expect(payloads.at(-1)!.data!.generateStream.details!.generatedTokens).toBe(5);
  });

  it('stops with exit code 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start on an invalid setting, naming the variable', async () => {
    const bad = spawn(process.execPath, [main], { env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    bad.stderr!.on('data', (c: Buffer) => (stderr += String(c)));
    const code = await new Promise<number | null>((resolve) => bad.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT/);
  });
});
