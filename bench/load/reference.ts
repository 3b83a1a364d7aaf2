// Expected texts, straight from a zero-latency simulator: it plans tokens from
// the prompt and seed alone, so its /generate answer for the same body is the
// text every path must deliver, byte for byte.
import { tgiBody, type GenerationInput } from '../lib/tgi-body.ts';
import { Pool, requestBytes } from './http1.ts';

export async function expectedTexts(simUrl: string, inputs: readonly GenerationInput[], concurrency = 32): Promise<string[]> {
  const port = Number(new URL(simUrl).port);
  const pool = new Pool(port, concurrency);
  const texts = new Array<string>(inputs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < inputs.length; i = next++) {
      const answer = await pool.request(requestBytes(port, '/generate', tgiBody(inputs[i]!)));
      if (answer.status !== 200) throw new Error(`reference /generate answered ${answer.status}: ${answer.body.slice(0, 200)}`);
      texts[i] = (JSON.parse(answer.body) as { generated_text: string }).generated_text;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  } finally {
    pool.close();
  }
  return texts;
}
