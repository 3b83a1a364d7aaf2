// What the event loop and the schema worker say to each other.
import type { JsonValue } from '../upstream/types.ts';

export type SchemaRequest =
  /** Each schema as JSON text (the cache's key). */
  | { id: number; op: 'compile'; schemas: string[] }
  | { id: number; op: 'check'; schema: string; value: JsonValue };

export type SchemaReply =
  | { id: number; refused: { index: number; message: string } | null }
  | { id: number; errors: string[] }
  /** Not the client's doing: a bug, reported as such. */
  | { id: number; failed: string };
