// The `--api-key` both servers take: a bearer compared exactly. Which routes need it is each
// protocol's (its route table's needsKey); a missing or wrong key is a 401.

import type { IncomingMessage } from 'node:http';

/** The scheme is case-insensitive (RFC 9110), the key is compared exactly. */
export function hasKey(req: IncomingMessage, key: string): boolean {
  const header = req.headers.authorization;
  if (header === undefined) return false;
  const match = /^bearer +(.*)$/i.exec(header);
  return match !== null && match[1] === key;
}
