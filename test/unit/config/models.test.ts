import { describe, expect, it } from 'vitest';
import { readModels } from '../../../src/config/models.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { configErrorOf } from './helpers.ts';

describe('readModels', () => {
  it('declares one model per TGI_<KEY>_ENDPOINT, id from the key, name from the id', () => {
    expect(readModels({ TGI_GPT2_ENDPOINT: 'http://127.0.0.1:8080' })).toStrictEqual([
      { key: 'GPT2', id: 'gpt2', name: 'gpt2', endpoints: ['http://127.0.0.1:8080'], timeouts: {}, upstream: { protocol: 'tgi' }, routing: 'prefix-aware' },
    ]);
  });

  it('reads TGI_<KEY>_PROTOCOL, TGI_<KEY>_UPSTREAM_MODEL and TGI_<KEY>_API_KEY', () => {
    const [model] = readModels({ TGI_V_ENDPOINT: 'http://a:1', TGI_V_PROTOCOL: 'openai', TGI_V_UPSTREAM_MODEL: 'meta-llama/Llama-3.1-8B', TGI_V_API_KEY: 's3cret' });
    expect(model!.upstream).toStrictEqual({ protocol: 'openai', model: 'meta-llama/Llama-3.1-8B', apiKey: 's3cret' });
    expect(() => readModels({ TGI_V_ENDPOINT: 'http://a:1', TGI_V_PROTOCOL: 'grpc' })).toThrow(/TGI_V_PROTOCOL/);
  });

  it('reads TGI_<KEY>_SERVER, which implies the OpenAI-compatible protocol for every server but TGI', () => {
    const upstream = (env: Record<string, string>) => readModels({ TGI_V_ENDPOINT: 'http://a:1', ...env })[0]!.upstream;
    expect(upstream({ TGI_V_SERVER: 'llamacpp' })).toStrictEqual({ protocol: 'openai', server: 'llamacpp' });
    expect(upstream({ TGI_V_SERVER: 'vllm', TGI_V_PROTOCOL: 'openai' })).toStrictEqual({ protocol: 'openai', server: 'vllm' });
    expect(upstream({ TGI_V_SERVER: 'tgi' })).toStrictEqual({ protocol: 'tgi', server: 'tgi' });
    // TGI's own OpenAI-compatible routes.
    expect(upstream({ TGI_V_SERVER: 'tgi', TGI_V_PROTOCOL: 'openai' })).toStrictEqual({ protocol: 'openai', server: 'tgi' });
    expect(() => upstream({ TGI_V_SERVER: 'ollama', TGI_V_PROTOCOL: 'tgi' })).toThrow(/TGI_V_SERVER=ollama speaks the OpenAI-compatible API/);
    expect(() => upstream({ TGI_V_SERVER: 'triton' })).toThrow(/TGI_V_SERVER must be one of tgi, vllm, sglang, llamacpp, ollama/);
  });

  it('reads TGI_<KEY>_TOOLS: absent means the servers take tools, false that they take none', () => {
    expect(readModels({ TGI_V_ENDPOINT: 'http://a:1' })[0]!.tools).toBeUndefined();
    expect(readModels({ TGI_V_ENDPOINT: 'http://a:1', TGI_V_TOOLS: 'true' })[0]!.tools).toBeUndefined();
    expect(readModels({ TGI_V_ENDPOINT: 'http://a:1', TGI_V_TOOLS: 'false' })[0]!.tools).toBe(false);
    expect(() => readModels({ TGI_V_ENDPOINT: 'http://a:1', TGI_V_TOOLS: 'maybe' })).toThrow(/TGI_V_TOOLS/);
  });

  it('derives the id by lower-casing the key and turning _ into -', () => {
    expect(readModels({ TGI_LLAMA_3_8B_ENDPOINT: 'http://gpu:80' })[0]).toMatchObject({ key: 'LLAMA_3_8B', id: 'llama-3-8b' });
  });

  it('takes the id from TGI_<KEY>_ID, and the name defaults to it', () => {
    expect(readModels({ TGI_GPT2_ENDPOINT: 'http://a:1', TGI_GPT2_ID: 'gpt-2' })[0]).toMatchObject({ id: 'gpt-2', name: 'gpt-2' });
  });

  it('takes the name from TGI_<KEY>_NAME and the Hugging Face name from TGI_<KEY>_HF_NAME', () => {
    const [model] = readModels({
      TGI_GPT2_ENDPOINT: 'http://a:1',
      TGI_GPT2_NAME: 'GPT-2 small',
      TGI_GPT2_HF_NAME: 'openai-community/gpt2',
    });
    expect(model).toMatchObject({ id: 'gpt2', name: 'GPT-2 small', hfName: 'openai-community/gpt2' });
  });

  it('leaves hfName and maxConcurrent absent when not set', () => {
    const [model] = readModels({ TGI_GPT2_ENDPOINT: 'http://a:1' });
    expect(model).not.toHaveProperty('hfName');
    expect(model).not.toHaveProperty('maxConcurrent');
  });

  it('reads several comma-separated URLs as replicas, trimmed and without trailing slashes', () => {
    const [model] = readModels({ TGI_GPT2_ENDPOINT: 'http://a:1, https://b.example/ ,http://c:3/tgi/,' });
    expect(model?.endpoints).toEqual(['http://a:1', 'https://b.example', 'http://c:3/tgi']);
  });

  it('declares a model with an empty ENDPOINT but configures no replica for it', () => {
    expect(readModels({ TGI_LATER_ENDPOINT: '' })).toStrictEqual([
      { key: 'LATER', id: 'later', name: 'later', endpoints: [], timeouts: {}, upstream: { protocol: 'tgi' }, routing: 'prefix-aware' },
    ]);
  });

  it('reads per-model timeout overrides, leaving unset ones out', () => {
    const [model] = readModels({
      TGI_GPT2_ENDPOINT: 'http://a:1',
      TGI_GPT2_TIMEOUT_MS: '9000',
      TGI_GPT2_FIRST_TOKEN_TIMEOUT_MS: '3000',
    });
    expect(model?.timeouts).toStrictEqual({ totalMs: 9000, firstTokenMs: 3000 });
    const [idle] = readModels({ TGI_GPT2_ENDPOINT: 'http://a:1', TGI_GPT2_IDLE_TIMEOUT_MS: '500' });
    expect(idle?.timeouts).toStrictEqual({ idleMs: 500 });
  });

  it('reads TGI_<KEY>_MAX_CONCURRENT', () => {
    expect(readModels({ TGI_GPT2_ENDPOINT: 'http://a:1', TGI_GPT2_MAX_CONCURRENT: '8' })[0]?.maxConcurrent).toBe(8);
  });

  it('orders models by key, whatever the order of the environment', () => {
    const models = readModels({ TGI_ZED_ENDPOINT: 'http://z:1', TGI_ALPHA_ENDPOINT: 'http://a:1', TGI_MID_ENDPOINT: 'http://m:1' });
    expect(models.map((m) => m.key)).toEqual(['ALPHA', 'MID', 'ZED']);
  });

  it('ignores variables that only look alike', () => {
    expect(readModels({ TGI_ENDPOINT: 'http://a:1', TGI_X_ENDPOINTS: 'http://a:1', tgi_x_endpoint: 'http://a:1', TGI_X_ID: 'x' })).toEqual([]);
  });

  it('is what loadConfig puts in config.models', () => {
    const env = { TGI_GPT2_ENDPOINT: 'http://a:1', TGI_GPT2_ID: 'gpt-2' };
    expect(loadConfig(env).models).toEqual(readModels(env));
  });

  describe('invalid declarations', () => {
    it.each([
      ['TGI_X_ENDPOINT', { TGI_X_ENDPOINT: 'ftp://a' }],
      ['TGI_X_ENDPOINT', { TGI_X_ENDPOINT: 'not a url' }],
      ['TGI_X_ENDPOINT', { TGI_X_ENDPOINT: 'http://a:1,not a url' }],
      ['TGI_X_ENDPOINT', { TGI_X_ENDPOINT: 'http://a:1/?q=1' }],
      ['TGI_X_ENDPOINT', { TGI_X_ENDPOINT: 'http://a:1/#top' }],
      ['TGI_X_ENDPOINT', { TGI_X_ENDPOINT: 'http://a:1,http://a:1/' }],
      ['TGI_X_ENDPOINT', { TGI_X_ENDPOINT: 'http://A:1, http://a:1' }],
      ['TGI_X_ID', { TGI_X_ENDPOINT: 'http://a:1', TGI_X_ID: 'has space' }],
      ['TGI_X_ID', { TGI_X_ENDPOINT: 'http://a:1', TGI_X_ID: '-leading-dash' }],
      ['TGI_X_TIMEOUT_MS', { TGI_X_ENDPOINT: 'http://a:1', TGI_X_TIMEOUT_MS: 'abc' }],
      ['TGI_X_FIRST_TOKEN_TIMEOUT_MS', { TGI_X_ENDPOINT: 'http://a:1', TGI_X_FIRST_TOKEN_TIMEOUT_MS: '0' }],
      ['TGI_X_IDLE_TIMEOUT_MS', { TGI_X_ENDPOINT: 'http://a:1', TGI_X_IDLE_TIMEOUT_MS: '-1' }],
      ['TGI_X_MAX_CONCURRENT', { TGI_X_ENDPOINT: 'http://a:1', TGI_X_MAX_CONCURRENT: '0' }],
    ])('throws a ConfigError naming %s for %j', (name, env) => {
      expect(configErrorOf(() => readModels(env)).message).toContain(name);
    });

    it('throws a ConfigError naming both variables when two models share an id', () => {
      const message = configErrorOf(() => readModels({ TGI_A_ENDPOINT: 'http://a:1', TGI_B_ENDPOINT: 'http://b:1', TGI_B_ID: 'a' })).message;
      expect(message).toContain('TGI_A_ID');
      expect(message).toContain('TGI_B_ID');
      expect(message).toContain('"a"');
    });

    it('throws a ConfigError when a derived id collides with a declared one', () => {
      const message = configErrorOf(() =>
        readModels({ TGI_GPT_2_ENDPOINT: 'http://a:1', TGI_GPT2_ENDPOINT: 'http://b:1', TGI_GPT2_ID: 'gpt-2' })).message;
      expect(message).toContain('TGI_GPT2_ID');
      expect(message).toContain('TGI_GPT_2_ID');
    });
  });
});

describe('routing policy (ROUTING, TGI_<KEY>_ROUTING)', () => {
  it('is prefix-aware unless ROUTING says otherwise', () => {
    expect(readModels({ TGI_A_ENDPOINT: 'http://a:1' })[0]?.routing).toBe('prefix-aware');
    expect(readModels({ TGI_A_ENDPOINT: 'http://a:1', ROUTING: 'least-in-flight' })[0]?.routing).toBe('least-in-flight');
  });

  it('lets one model choose its own over ROUTING', () => {
    const models = readModels({ TGI_A_ENDPOINT: 'http://a:1', TGI_B_ENDPOINT: 'http://b:1', ROUTING: 'least-in-flight', TGI_B_ROUTING: 'prefix-aware' });
    expect(models.map((m) => [m.id, m.routing])).toEqual([['a', 'least-in-flight'], ['b', 'prefix-aware']]);
  });

  it('refuses a policy it does not know, naming the variable', () => {
    expect(() => readModels({ TGI_A_ENDPOINT: 'http://a:1', ROUTING: 'random' })).toThrow(/ROUTING/);
    expect(() => readModels({ TGI_A_ENDPOINT: 'http://a:1', TGI_A_ROUTING: 'round-robin' })).toThrow(/TGI_A_ROUTING/);
  });
});
