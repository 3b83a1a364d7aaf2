// The streaming playground at /playground (a static page; it asks its user for a key).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-util.ts';

export const PLAYGROUND_PATH = '/playground';

export function createPlayground() {
  return {
    async send(_req: IncomingMessage, res: ServerResponse): Promise<void> {
      sendJson(res, 503, { detail: 'the playground is not built yet' });
    },
  };
}

export type Playground = ReturnType<typeof createPlayground>;
