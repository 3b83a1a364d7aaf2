// What API keys and rate limits add to one generation: unary `generate` calls,
// one at a time, against a simulator that answers at once, through gateways
// with no protection, with a key and RPM/TPM/concurrency limits in memory,
// and (when REDIS_URL is given) the same limits in Redis. Loopback only.
//
//   npm run bench:limits -- [--requests 2000] [--redis redis://127.0.0.1:6379]
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { createLogger } from '../src/logger.ts';
import { startSimulator } from '../src/simulator/index.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, redis: { type: 'string' } } });
const requests = Number(values.requests);
const KEY = 'sk-bench-0123456789abcdef';
const LIMITS = { RATE_LIMIT_RPM: '10000000', RATE_LIMIT_TPM: '1000000000', MAX_CONCURRENT_STREAMS: '1000' };

const simulator = await startSimulator({ timeToFirstTokenMs: 0, timePerTokenMs: 0 });
const body = JSON.stringify({ query: 'mutation { generate(input: {modelId: "sim", prompt: "Hi", maxNewTokens: 4}) { generatedText } }' });

async function measure(name: string, env: Record<string, string>, headers: Record<string, string>) {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', TGI_SIM_ENDPOINT: simulator.url, NODE_ENV: 'production', ...env });
  const app = buildApp(config, createLogger('silent'));
  const url = `${await app.start()}/graphql`;
  const init = { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body };
  const once = async () => {
    const res = await fetch(url, init);
    const text = await res.text();
    if (!text.includes('generatedText')) throw new Error(`${name}: ${text}`);
  };
  for (let i = 0; i < 200; i++) await once(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    await once();
    times.push(performance.now() - started);
  }
  await app.stop(0);
  times.sort((a, b) => a - b);
  return { name, p50: times[Math.floor(times.length / 2)]!, p99: times[Math.floor(times.length * 0.99)]! };
}

const rounds = [];
for (let round = 0; round < 3; round++) {
  rounds.push(await measure('off', {}, {}));
  rounds.push(await measure('key + limits (memory)', { API_KEYS: KEY, ...LIMITS }, { 'x-api-key': KEY }));
  if (values.redis) rounds.push(await measure('key + limits (Redis)', { API_KEYS: KEY, ...LIMITS, REDIS_URL: values.redis }, { 'x-api-key': KEY }));
}
await simulator.close();

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const names = [...new Set(rounds.map((r) => r.name))];
const off = median(rounds.filter((r) => r.name === 'off').map((r) => r.p50));
console.log(`${requests} sequential unary generations per gateway, median of 3 rounds (ms)`);
console.log('| gateway | p50 | p99 | added p50 vs off |');
console.log('| --- | --- | --- | --- |');
for (const name of names) {
  const mine = rounds.filter((r) => r.name === name);
  const p50 = median(mine.map((r) => r.p50));
  console.log(`| ${name} | ${p50.toFixed(3)} | ${median(mine.map((r) => r.p99)).toFixed(3)} | ${(p50 - off >= 0 ? '+' : '')}${((p50 - off) * 1000).toFixed(0)} µs |`);
}
