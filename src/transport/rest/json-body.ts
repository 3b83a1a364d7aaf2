// A REST request's JSON body, read within its limit.
import type { IncomingMessage } from 'node:http';
import type { JsonLimits } from '../../config/index.ts';
import { readStream } from '../../lib/read-stream.ts';
import { jsonShapeProblem } from '../guards/json-shape.ts';

export class BodyError extends Error {
  readonly status: number;
  /** How the refusal is counted: the body's size, its shape, or anything else wrong with it. */
  readonly code: 'REQUEST_ENTITY_TOO_LARGE' | 'BAD_USER_INPUT' | 'BAD_REQUEST';
  constructor(status: 400 | 413 | 422, message: string) {
    super(message);
    this.status = status;
    this.code = status === 413 ? 'REQUEST_ENTITY_TOO_LARGE' : status === 400 ? 'BAD_USER_INPUT' : 'BAD_REQUEST';
  }
}

/** What a REST body may be: its bytes, and the shape of its JSON (checked before it is parsed). */
export interface BodyLimits {
  maxBytes: number;
  json: JsonLimits;
}

/**
 * The JSON body, refused past `limit` bytes (413), nested too deep or with too
 * many keys (400), or when it is not JSON (422, as the original backend answered). Requiring the JSON content type also keeps
 * browsers from sending it cross-site without a CORS preflight.
 */
export async function readJson(req: IncomingMessage, { maxBytes: limit, json }: BodyLimits, parse: (text: string) => unknown = JSON.parse): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new BodyError(422, 'the body must be JSON (content-type: application/json)');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyError(413, `the body is larger than ${limit} bytes`);
  const text = await readText(req, limit);
  const problem = jsonShapeProblem(text, json);
  if (problem !== undefined) throw new BodyError(400, problem);
  try {
    return parse(text);
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
