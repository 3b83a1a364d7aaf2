// Expected texts, straight from a zero-latency simulator: it plans tokens from
// the prompt and seed alone, so its non-streamed answer for the same body is the
// text every path must deliver, byte for byte: /generate for generateStream,
// /v1/chat/completions (on a simulator of the same protocol) for chat.
import { chatBody, chatInput } from '../lib/chat-body.ts';
import { tgiBody, type GenerationInput } from '../lib/tgi-body.ts';
import { Pool, requestBytes } from './http1.ts';

/** The reference request of one input, and how its answer's text is read. */
interface Reference {
  path: string;
  body(input: GenerationInput): string;
  text(answer: string): string;
}

const GENERATE: Reference = {
  path: '/generate',
  body: tgiBody,
  text: (answer) => (JSON.parse(answer) as { generated_text: string }).generated_text,
};

/** A non-streamed chat completion with the body the streams send (stream: false), `model` as the simulator serves it. */
function chatReference(chatModel: string): Reference {
  return {
    path: '/v1/chat/completions',
    body: (input) => chatBody(chatInput('', input), chatModel, false),
    text: (answer) => (JSON.parse(answer) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
  };
}

/** `chatModel` undefined: generateStream's texts; else chat's, with that model name in the body. */
export async function expectedTexts(simUrl: string, inputs: readonly GenerationInput[], chatModel?: string, concurrency = 32): Promise<string[]> {
  const reference = chatModel === undefined ? GENERATE : chatReference(chatModel);
  const port = Number(new URL(simUrl).port);
  const pool = new Pool(port, concurrency);
  const texts = new Array<string>(inputs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < inputs.length; i = next++) {
      const answer = await pool.request(requestBytes(port, reference.path, reference.body(inputs[i]!)));
      if (answer.status !== 200) throw new Error(`reference ${reference.path} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
      texts[i] = reference.text(answer.body);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  } finally {
    pool.close();
  }
  return texts;
}
