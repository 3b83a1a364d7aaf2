// The processes under test, each in its own process on 127.0.0.1: TGI
// simulators, the floor proxy, and the gateway exactly as it ships
// (`node src/main.ts`, configured through its environment only).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimulatorOptions } from '../../src/simulator/index.ts';
import { CHAT_MODEL, type ChatProtocol } from './chat-body.ts';
import { forkBench, nextMessage, spawnNode, stop, type Child } from './procs.ts';

export interface Running {
  /** Base URL, `http://127.0.0.1:port`. */
  url: string;
  child: Child;
  stop(): Promise<void>;
}

/** Limits high enough that neither the simulator nor the gateway's cap (the sum of /info's) refuses any load of the bench. */
const SIM_LIMITS: Partial<SimulatorOptions> = { maxConcurrentRequests: 20_000, maxInputTokens: 60_000, maxTotalTokens: 64_000 };
const READY_MS = 20_000;

const isReady = (message: unknown) =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready'
    ? String((message as { url?: unknown }).url)
    : undefined;

async function forkReady(name: string, file: URL, args: string[]): Promise<Running> {
  const child = forkBench(name, file, args);
  const url = await nextMessage(child, isReady, READY_MS);
  return { url, child, stop: () => stop(child) };
}

export function startSimulator(name: string, options: Partial<SimulatorOptions>): Promise<Running> {
  return forkReady(name, new URL('../procs/sim.ts', import.meta.url), [JSON.stringify({ ...SIM_LIMITS, ...options })]);
}

/**
 * A simulator speaking `protocol`: TGI (native routes and the Messages API), or
 * vLLM's OpenAI-compatible API serving the model as CHAT_MODEL.openai.
 */
export function startProtocolSimulator(name: string, protocol: ChatProtocol, options: Partial<SimulatorOptions>): Promise<Running> {
  return startSimulator(name, protocol === 'openai' ? { ...options, protocol: 'openai', servedModelName: CHAT_MODEL.openai } : options);
}

/** The floor in front of `upstream`; its chatStream wrapper names the model as `protocol`'s server wants it. */
export function startFloor(upstream: string, protocol: ChatProtocol = 'tgi'): Promise<Running> {
  return forkReady('floor proxy', new URL('../floor-proxy.ts', import.meta.url), ['--upstream', upstream, '--chat-model', CHAT_MODEL[protocol]]);
}

/** The model id the gateway serves the simulator as (TGI_SIM_ENDPOINT → "sim"). */
export const MODEL_ID = 'sim';

/**
 * Only what the bench's load needs changed from the defaults: no keys, no limits, no logs but warnings.
 * An OpenAI-compatible upstream adds TGI_SIM_PROTOCOL=openai (the served model name is learnt from /v1/models).
 */
function gatewayEnv(upstream: string, port: number, protocol: ChatProtocol, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    HOST: '127.0.0.1',
    PORT: String(port),
    TGI_SIM_ENDPOINT: upstream,
    ...(protocol === 'openai' ? { TGI_SIM_PROTOCOL: 'openai' } : {}),
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    // The multiplexed runs put up to 1,000 operations on one socket (the default allows 16).
    WS_MAX_OPERATIONS: '10000',
    // Every load connection comes from 127.0.0.1, up to 10,000 streams at once (the defaults allow
    // 256 per address and 10,000 in all): the bench's gateway stands where a load balancer's would.
    MAX_CONNECTIONS: '15000',
    MAX_CONNECTIONS_PER_ADDRESS: '15000',
    // The bench stops the gateway between runs: nothing is left to drain by then.
    SHUTDOWN_DRAIN_MS: '0',
    // For profiling what is measured, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`; empty otherwise.
    ...(process.env.BENCH_GATEWAY_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS } : {}),
    // What a scenario measures on top of the defaults (REDIS_URL for the resume scenario, ROUTING for routing).
    ...extra,
  };
}

const GATEWAY_MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** `upstream`: one URL, or several (replicas) joined by commas; `extra`: what a scenario changes (ROUTING). */
export async function startGateway(upstream: string, protocol: ChatProtocol = 'tgi', extra: NodeJS.ProcessEnv = {}): Promise<Running> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // An empty working directory: a developer's .env must not change what is measured.
    const cwd = mkdtempSync(join(tmpdir(), 'bench-gateway-'));
    const child = spawnNode('gateway', GATEWAY_MAIN, gatewayEnv(upstream, port, protocol, extra), cwd);
    const url = `http://127.0.0.1:${port}`;
    const stopAndClean = async () => {
      await stop(child);
      rmSync(cwd, { recursive: true, force: true });
    };
    try {
      await waitUntilServing(url, child);
      return { url, child, stop: stopAndClean };
    } catch (error) {
      await stopAndClean();
      // The port picked may have been taken in between: try another one.
      if (attempt >= 3 || !child.output().includes('EADDRINUSE')) throw error;
    }
  }
}

/** Ready once a REST generation goes through: the model's /info and health are known by then. */
async function waitUntilServing(url: string, child: Child): Promise<void> {
  const deadline = performance.now() + READY_MS;
  const body = JSON.stringify({ model_id: MODEL_ID, prompt: 'ready?', max_new_tokens: 1 });
  while (performance.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`gateway exited with ${child.proc.exitCode}:\n${child.output()}`);
    try {
      const res = await fetch(`${url}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gateway not serving within ${READY_MS} ms:\n${child.output()}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
