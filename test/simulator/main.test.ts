import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../../src/simulator/env.ts';

describe('standalone simulator options from the environment', () => {
  it('defaults to 127.0.0.1:3000, like TGI’s router port', () => {
    expect(optionsFromEnv({})).toEqual({ host: '127.0.0.1', port: 3000 });
  });

  it('reads host, port, model id and timings', () => {
    const env = {
      SIMULATOR_HOST: '0.0.0.0',
      SIMULATOR_PORT: '8080',
      SIMULATOR_MODEL_ID: 'acme/model',
      SIMULATOR_TTFT_MS: '250',
      SIMULATOR_TOKEN_MS: '12.5',
    };
    expect(optionsFromEnv(env)).toEqual({
      host: '0.0.0.0',
      port: 8080,
      modelId: 'acme/model',
      timeToFirstTokenMs: 250,
      timePerTokenMs: 12.5,
    });
  });

  it.each([
    ['SIMULATOR_PORT', 'http', 'SIMULATOR_PORT must be an integer from 0 to 65535, got "http"'],
    ['SIMULATOR_PORT', '70000', 'SIMULATOR_PORT must be an integer from 0 to 65535, got "70000"'],
    ['SIMULATOR_TTFT_MS', '-1', 'SIMULATOR_TTFT_MS must be a non-negative number of milliseconds, got "-1"'],
    ['SIMULATOR_TOKEN_MS', 'fast', 'SIMULATOR_TOKEN_MS must be a non-negative number of milliseconds, got "fast"'],
  ])('rejects %s=%s with a clear message', (name, value, message) => {
    expect(() => optionsFromEnv({ [name]: value })).toThrow(message);
  });
});

describe('npm run simulator', () => {
  const node = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));
  const entry = fileURLToPath(new URL('../../src/simulator/main.ts', import.meta.url));

  it('logs its URL, serves TGI and exits 0 on SIGTERM', async () => {
    const child = spawn(node, [entry], { env: { ...process.env, SIMULATOR_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => {
        const match = /http:\/\/\S+/.exec(data.toString());
        if (match) resolve(match[0]);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits non-zero on an invalid setting', async () => {
    const child = spawn(node, [entry], { env: { ...process.env, SIMULATOR_PORT: 'nope' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('SIMULATOR_PORT must be an integer');
  });
});
