import { describe, expect, it } from 'vitest';
import { detectFamily } from '../../../../src/upstream/openai/detect.ts';

describe('detectFamily', () => {
  it.each([
    [{ id: 'm', owned_by: 'vllm', max_model_len: 4096 }, 'vllm'],
    [{ id: 'm', owned_by: 'sglang', max_model_len: 4096 }, 'sglang'],
    [{ id: 'm.gguf', owned_by: 'llamacpp', meta: { n_ctx_train: 8192 } }, 'llamacpp'],
    [{ id: 'llama3.2:latest', owned_by: 'library' }, 'ollama'],
    [{ id: 'mine:latest', owned_by: 'ollama' }, 'ollama'],
    // A build that names no owner still shows llama.cpp's meta.
    [{ id: 'm.gguf', meta: { n_ctx_train: 8192, n_vocab: 32000 } }, 'llamacpp'],
  ])('tells %j as %s', (entry, family) => {
    expect(detectFamily(entry, undefined)).toBe(family);
  });

  it("reads llama.cpp's Server header when the model list says nothing", () => {
    expect(detectFamily({ id: 'm' }, 'llama.cpp')).toBe('llamacpp');
  });

  it('is null for a server it cannot tell, and never reads inherited names', () => {
    expect(detectFamily({ id: 'm', owned_by: 'someone' }, 'uvicorn')).toBeNull();
    expect(detectFamily({ id: 'm', owned_by: 'constructor' }, undefined)).toBeNull();
    expect(detectFamily(undefined, undefined)).toBeNull();
  });
});
