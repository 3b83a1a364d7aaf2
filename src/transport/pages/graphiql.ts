// GraphiQL, served by the gateway itself with every asset inline (it must
// work without internet access). The page is 8.6 MiB, so it is rendered and
// compressed once, at start (GRAPHIQL=false skips it all), sent as brotli or
// gzip, and revalidated by its ETag.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';
import { CSRF_HEADER } from '../guards/csrf.ts';
import { etagMatches, pickEncoding } from './static-page.ts';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

interface Page {
  etag: string;
  identity: Buffer;
  br: Buffer;
  gzip: Buffer;
}

/**
 * The page's title and first document (a chat with the first model, streamed,
 * to run at once), and what its fetcher sends: GraphiQL sends a subscription
 * as a GET (`?query=…`, Accept: text/event-stream), which the CSRF check
 * refuses without its header (guards/csrf.ts). The header is no secret: it
 * only proves the request is not one a foreign page could send unasked.
 */
export function graphiqlOptions(firstModelId: string | undefined): GraphiQLOptions {
  return {
    title: 'TGI GraphQL gateway',
    defaultQuery: defaultQuery(firstModelId ?? 'my-model'),
    additionalHeaders: { [CSRF_HEADER]: '1' },
  };
}

const defaultQuery = (modelId: string) => /* GraphQL */ `# Chat with the first model: press Run and pick "Chat". The reply streams in, delta by delta;
# the last event carries finishReason and the token usage the model server reported.
subscription Chat {
  chatStream(input: {
    modelId: "${modelId}"
    messages: [
      { role: SYSTEM, content: "You are a concise assistant." }
      { role: USER, content: "Tell me about GPUs" }
    ]
    maxTokens: 40
  }) {
    index
    delta
    finishReason
    usage { promptTokens completionTokens totalTokens }
  }
}

# The same reply in one answer.
mutation Reply {
  chat(input: { modelId: "${modelId}", messages: [{ role: USER, content: "Tell me about GPUs" }], maxTokens: 40 }) {
    message { role content }
    finishReason
    usage { totalTokens }
  }
}

# A tool call, streamed: the call's id and name come once, its arguments fill in piece by
# piece (partialArguments is them so far, as JSON); the last event holds the call assembled,
# parsed and checked against the tool's schema. Send the result back as a TOOL message.
subscription Tools {
  chatStream(input: {
    modelId: "${modelId}"
    messages: [{ role: USER, content: "What is the weather in Paris? Use get_weather." }]
    tools: [{
      name: "get_weather"
      description: "The current weather in a city."
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
    }]
    maxTokens: 40
  }) {
    index
    toolCallDeltas { index id name argumentsDelta partialArguments }
    finishReason
    toolCalls { id name arguments parsedArguments validationErrors }
  }
}

# A raw prompt, token by token (no chat template).
subscription Stream {
  generateStream(input: { modelId: "${modelId}", prompt: "Tell me about GPUs", maxNewTokens: 40 }) {
    index
    token { text }
    generatedText
    details { finishReason generatedTokens }
  }
}

query Models {
  models { id name hfName available health { status latencyMs } replicas { url state inFlight } }
}
`;

/** What yoga also checks: a browser's GET that accepts HTML gets the page. */
export function wantsGraphiQL(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept?.includes('text/html') ?? false);
}

export function createGraphiQL(options: GraphiQLOptions) {
  // Compressed at start, off the event loop (zlib's threads): no visitor waits for it or pays for it.
  const page = build(options);
  // Awaited by ready() and send(); a failure is reported there, never as an unhandled rejection.
  page.catch(() => undefined);
  return {
    /** Resolves once the page is rendered and compressed (the gateway's start waits for it). */
    async ready(): Promise<void> {
      await page;
    },
    async send(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const { etag, ...bodies } = await page;
      const headers = {
        etag,
        // Revalidated on each visit: a new gateway version answers with a new page.
        'cache-control': 'no-cache',
        vary: 'accept-encoding',
      };
      if (etagMatches(req.headers['if-none-match'], etag)) {
        res.writeHead(304, headers).end();
        return;
      }
      const encoding = pickEncoding(req.headers['accept-encoding']);
      const body = bodies[encoding];
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/html; charset=utf-8',
        'content-length': body.byteLength,
        ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
      });
      res.end(body);
    },
  };
}

export type GraphiQL = ReturnType<typeof createGraphiQL>;

async function build(options: GraphiQLOptions): Promise<Page> {
  const identity = Buffer.from(renderGraphiQL(options), 'utf8');
  const [br, gz] = await Promise.all([
    // Quality 6: 79 % smaller in about 0.2 s; 11 saves 10 % more for 50 times the work.
    brotli(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: identity.byteLength } }),
    gzipped(identity, { level: 6 }),
  ]);
  return { etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`, identity, br, gzip: gz };
}
