// A smoke test of a running gateway, step by step, as the original backend's
// test_api.py was: is it up, which models does it serve and are they healthy,
// does one generate, does one stream. Exits 1 at the first step that fails.
//
//   npm run smoke -- --url http://localhost:8000 [--key <api key>] [--model <id>] [--prompt <text>]
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { SmokeChatDocument, SmokeGenerateDocument, SmokeInfoDocument, SmokeModelsDocument, SmokeStreamDocument, type TypedDocumentString } from '../client/gql/graphql.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:8000' },
    key: { type: 'string' },
    model: { type: 'string' },
    prompt: { type: 'string', default: 'Hello, who are you?' },
    'max-new-tokens': { type: 'string', default: '20' },
  },
});
const base = values.url.replace(/\/+$/, '');
const auth: Record<string, string> = values.key ? { authorization: `Bearer ${values.key}` } : {};
const TIMEOUT_MS = 30_000;

interface Answer<T> { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] }

async function graphql<T, V>(document: TypedDocumentString<T, V>, variables?: V): Promise<T> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...auth },
    body: JSON.stringify({ query: document.toString(), variables }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const answer = (await res.json()) as Answer<T>;
  if (answer.errors?.length) throw new Error(answer.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  return answer.data!;
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  process.stdout.write(`- ${name} ... `);
  const started = performance.now();
  try {
    const result = await run();
    console.log(`ok (${Math.round(performance.now() - started)} ms)`);
    return result;
  } catch (error) {
    console.log('FAILED');
    console.log(`  ${(error as Error).message}`);
    console.log(`smoke: failed at "${name}"`);
    process.exit(1);
  }
}

console.log(`smoke test of ${base}`);
await step('the gateway is alive (/healthz) and ready (/readyz)', async () => {
  for (const probe of ['/healthz', '/readyz']) {
    const res = await fetch(`${base}${probe}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`${probe} answered ${res.status}`);
  }
});
const { info } = await step('GraphQL answers (info)', () => graphql(SmokeInfoDocument));
console.log(`  ${info.name} ${info.version}, up ${Math.round(info.uptimeSeconds)} s`);
const { models } = await step('models are listed with their health', () => graphql(SmokeModelsDocument));
for (const m of models) {
  console.log(`  ${m.id.padEnd(24)} ${m.health.status.padEnd(14)} ${m.hfName}${m.health.error ? `  (${m.health.error})` : ''}`);
}
const model = values.model ?? models.find((m) => m.available)?.id;
if (model === undefined) {
  console.log('smoke: failed: no model is available');
  process.exit(1);
}
const input = { modelId: model, prompt: values.prompt, maxNewTokens: Number(values['max-new-tokens']) };
const { generate } = await step(`generate on "${model}"`, () => graphql(SmokeGenerateDocument, { input }));
console.log(`  ${JSON.stringify(generate.generatedText)} (${generate.details.generatedTokens} tokens, ${generate.details.finishReason}, seed ${generate.details.seed ?? '-'})`);
const chatInput = { modelId: model, messages: [{ role: 'USER' as const, content: values.prompt }], maxTokens: Number(values['max-new-tokens']) };
const { chat } = await step(`chat on "${model}"`, () => graphql(SmokeChatDocument, { input: chatInput }));
console.log(`  ${JSON.stringify(chat.message.content)} (${chat.finishReason}, ${chat.usage ? `${chat.usage.promptTokens} + ${chat.usage.completionTokens} tokens` : 'no usage reported'})`);

await step(`stream on "${model}" over graphql-ws`, async () => {
  const client = createClient({
    url: `${base.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: values.key ? { authorization: `Bearer ${values.key}` } : undefined,
  });
  const started = performance.now();
  let first: number | undefined;
  let tokens = 0;
  process.stdout.write('\n  ');
  try {
    for await (const payload of client.iterate({ query: SmokeStreamDocument.toString(), variables: { input } })) {
      const answer = payload as Answer<{ generateStream: { token: { text: string }; details?: { finishReason: string } | null } }>;
      if (answer.errors?.length) throw new Error(answer.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
      first ??= performance.now();
      tokens += 1;
      process.stdout.write(answer.data!.generateStream.token.text);
      if (performance.now() - started > TIMEOUT_MS) throw new Error('the stream took too long');
    }
  } finally {
    await client.dispose();
  }
  if (tokens === 0) throw new Error('the stream sent no token');
  const seconds = (performance.now() - (first ?? started)) / 1000;
  process.stdout.write(`\n  ${tokens} tokens, first after ${Math.round((first ?? started) - started)} ms, ${seconds > 0 ? (tokens / seconds).toFixed(1) : '-'} tokens/s\n  `);
});
console.log('smoke: all steps passed');
