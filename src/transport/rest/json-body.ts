// A REST request's JSON body, read within its limit.
import type { IncomingMessage } from 'node:http';
import { readStream } from '../../lib/read-stream.ts';

export class BodyError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * The JSON body, refused past `limit` bytes (413) or when it is not JSON (422,
 * as the original backend answered). Requiring the JSON content type also keeps
 * browsers from sending it cross-site without a CORS preflight.
 */
export async function readJson(req: IncomingMessage, limit: number, reviver?: (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new BodyError(422, 'the body must be JSON (content-type: application/json)');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyError(413, `the body is larger than ${limit} bytes`);
  const text = await readText(req, limit);
  try {
    return JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]);
  } catch {
    throw new BodyError(422, 'the body is not valid JSON');
  }
}

/** The body as UTF-8 text; 413 past `limit` bytes. */
async function readText(req: IncomingMessage, limit: number): Promise<string> {
  const read = await readStream(req, limit);
  if (read.ok) return read.bytes.toString('utf8');
  if (!read.tooLarge) throw read.error;
  // The rest is not read: the client gets its 413 and the connection closes.
  req.pause();
  throw new BodyError(413, `the body is larger than ${limit} bytes`);
}
