// The protocol options: their validation, their environment variables, and the standalone
// simulator started in openai mode.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../../src/simulator/env.ts';
import { startSimulator, type SimulatorOptions } from '../../src/simulator/index.ts';

describe('protocol options', () => {
  it('reads SIMULATOR_PROTOCOL, SIMULATOR_SERVED_MODEL_NAME, SIMULATOR_API_KEY and SIMULATOR_HEALTH', () => {
    const env = { SIMULATOR_PROTOCOL: 'OpenAI', SIMULATOR_SERVED_MODEL_NAME: ' served ', SIMULATOR_API_KEY: 'sk-1', SIMULATOR_HEALTH: 'false' };
    expect(optionsFromEnv(env)).toEqual({
      host: '127.0.0.1', port: 3000, protocol: 'openai', servedModelName: 'served', apiKey: 'sk-1', health: false,
    });
  });

  it('reads SIMULATOR_FLAVOUR', () => {
    expect(optionsFromEnv({ SIMULATOR_PROTOCOL: 'openai', SIMULATOR_FLAVOUR: 'llamacpp-legacy' })).toMatchObject({ flavour: 'llamacpp-legacy' });
  });

  it.each([
    ['SIMULATOR_FLAVOUR', 'tensorrt', 'SIMULATOR_FLAVOUR must be one of vllm, llamacpp, llamacpp-legacy, got "tensorrt"'],
    ['SIMULATOR_PROTOCOL', 'grpc', 'SIMULATOR_PROTOCOL must be one of tgi, openai, got "grpc"'],
    ['SIMULATOR_HEALTH', 'maybe', 'SIMULATOR_HEALTH must be one of true, false, got "maybe"'],
  ])('rejects %s=%s', (name, value, message) => {
    expect(() => optionsFromEnv({ [name]: value })).toThrow(message);
  });

  it.each([
    [{ protocol: 'grpc' }, 'protocol must be "tgi" or "openai"'],
    [{ apiKey: '' }, 'apiKey must be a non-empty string or null'],
    [{ servedModelName: 7 }, 'servedModelName must be a non-empty string or null'],
    [{ health: 'no' }, 'health must be a boolean'],
  ])('startSimulator refuses %j', async (options, message) => {
    await expect(startSimulator(options as unknown as Partial<SimulatorOptions>)).rejects.toThrow(message);
  });
});

describe('npm run simulator with SIMULATOR_PROTOCOL=openai', () => {
  const node = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));
  const entry = fileURLToPath(new URL('../../src/simulator/main.ts', import.meta.url));

  it('serves vLLM’s API under the served model name', async () => {
    const env = { ...process.env, SIMULATOR_PORT: '0', SIMULATOR_PROTOCOL: 'openai', SIMULATOR_SERVED_MODEL_NAME: 'sim-served' };
    const child = spawn(node, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => {
        log += data.toString();
        const match = /http:\/\/\S+/.exec(log);
        if (match) resolve(match[0]);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    expect(log).toContain('OpenAI-compatible (vLLM) simulator serving sim-served');
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data[0]!.id).toBe('sim-served');
    expect((await fetch(`${url}/generate`, { method: 'POST', body: '{}' })).status).toBe(404);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
