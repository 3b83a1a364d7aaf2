// A full garbage collection in the gateway process, through its inspector, so
// that RSS compares what the gateway keeps rather than when V8 last collected:
// left alone, V8 grows its heap lazily at this allocation rate (5,000
// `{ info { name } }` queries took an idle gateway from 217 to 338 MB RSS,
// still rising, with 37 MB of live heap throughout).
import WebSocket from 'ws';
import type { GatewayProcess } from '../attacks/gateway-process.ts';

/** glibc told to give freed memory back, so that RSS shows what is kept, not what malloc holds on to. */
export const FREED_MEMORY_RETURNED = { MALLOC_MMAP_THRESHOLD_: '65536', MALLOC_TRIM_THRESHOLD_: '131072' };

/** NODE_OPTIONS for a gateway whose heap the tests may collect. */
export const INSPECTABLE = `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`.trim();

export interface Memory {
  rss: number;
  heapUsed: number;
}

export async function connectInspector(gateway: GatewayProcess) {
  const url = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(gateway.log())?.[0];
  if (url === undefined) throw new Error(`the gateway has no inspector (NODE_OPTIONS=${INSPECTABLE})`);
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let lastId = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++lastId;
      const timer = setTimeout(() => reject(new Error(`inspector: no answer to ${method}`)), 10_000);
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message?: string } };
        if (message.id !== id) return;
        clearTimeout(timer);
        socket.off('message', onMessage);
        if (message.error) reject(new Error(`inspector: ${method}: ${message.error.message}`));
        else resolve(message.result);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    /** Collects all garbage, then reads the process's memory. */
    async collect(): Promise<Memory> {
      await call('HeapProfiler.collectGarbage');
      const result = (await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())' })) as { result: { value: string } };
      const usage = JSON.parse(result.result.value) as Memory;
      return { rss: gateway.rss(), heapUsed: usage.heapUsed };
    },
    close: () => socket.close(),
  };
}
