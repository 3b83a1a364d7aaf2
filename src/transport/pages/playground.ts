// The chat playground at /playground: one static page, assembled at start
// from src/playground/ and graphql-ws's browser build. Only this exact path is
// routed here, so its style and scripts are inline, and the Content-Security-
// Policy allows exactly those (by their hashes) and connections to this origin.
// No key is needed for the page itself: its user enters one in it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { etagMatches, pickEncoding } from './static-page.ts';

export const PLAYGROUND_PATH = '/playground';

const SOURCES = new URL('../../playground/', import.meta.url);
// One module script, in this order: each file uses what the ones before it declare.
const SCRIPTS = ['view.js', 'chat-input.js', 'stream.js', 'app.js'];
// graphql-ws's UMD build holds the client alone, with no Node import, and sets
// globalThis.graphqlWs. Its package does not export the file: found beside its entry point.
const GRAPHQL_WS_BROWSER = new URL('../umd/graphql-ws.min.js', pathToFileURL(createRequire(import.meta.url).resolve('graphql-ws')));

interface Page {
  etag: string;
  csp: string;
  identity: Buffer;
  br: Buffer;
  gzip: Buffer;
}

export function createPlayground() {
  // Read and compressed at start (about 64 KB, a few ms): a missing file stops the start, not a visit.
  const page = buildPage();
  return {
    async send(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const headers = {
        etag: page.etag,
        // Revalidated on each visit: a new gateway version answers with a new page.
        'cache-control': 'no-cache',
        vary: 'accept-encoding',
        'content-security-policy': page.csp,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      };
      if (etagMatches(req.headers['if-none-match'], page.etag)) {
        res.writeHead(304, headers).end();
        return;
      }
      const encoding = pickEncoding(req.headers['accept-encoding']);
      const body = page[encoding];
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/html; charset=utf-8',
        'content-length': body.byteLength,
        ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}

export type Playground = ReturnType<typeof createPlayground>;

function buildPage(): Page {
  const read = (name: string) => readFileSync(new URL(name, SOURCES), 'utf8');
  const style = inlinable(read('style.css'), 'style.css', '</style');
  const client = inlinable(readFileSync(GRAPHQL_WS_BROWSER, 'utf8'), 'graphql-ws.min.js', '</script');
  const app = SCRIPTS.map((name) => inlinable(read(name), name, '</script')).join('\n');
  const html = fill(fill(read('index.html'), 'style.css', `<style>${style}</style>`), 'scripts', `<script>${client}</script>\n<script type="module">${app}</script>`);
  const identity = Buffer.from(html, 'utf8');
  const csp = [
    "default-src 'none'",
    `script-src ${hash(client)} ${hash(app)}`,
    `style-src ${hash(style)}`,
    // CSP 3: 'self' covers ws: and wss: to this host and port, and nothing else.
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
  ].join('; ');
  return {
    etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`,
    csp,
    identity,
    br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: identity.byteLength } }),
    gzip: gzipSync(identity, { level: 6 }),
  };
}

/** Text that can sit inside its element: a closing tag in it would end the element early. */
function inlinable(text: string, name: string, closing: string): string {
  if (text.toLowerCase().includes(closing)) throw new Error(`playground: ${name} contains "${closing}" and cannot be inlined`);
  return text;
}

function fill(html: string, marker: string, content: string): string {
  const comment = `<!-- inline: ${marker} -->`;
  if (!html.includes(comment)) throw new Error(`playground: index.html lacks ${comment}`);
  return html.replace(comment, () => content);
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
