// yoga's own result processors, for the answers of the fast path that are not
// plain: a result with errors (its status comes from them, its errors go out
// without yoga's internal extensions) and a subscription that ended before its
// stream began. They make Fetch Responses, written here onto Node's response:
// affordable for these rare answers, not for every result or event, which is
// why a plain one is written as yoga would without them.
import type { ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import { processRegularResult, type FetchAPI } from 'graphql-yoga';

/** No errors and no HTTP extension: yoga answers such a result 200 with JSON.stringify of it, as is. */
export const isPlain = (result: ExecutionResult): boolean => !result.errors?.length && !result.extensions?.http;

/** The JSON text yoga sends of a result: its errors without their `http` and `unexpected` extensions. */
export function yogaJson(result: ExecutionResult, fetchAPI: FetchAPI): string | Promise<string> {
  return isPlain(result) ? JSON.stringify(result) : processRegularResult(result, fetchAPI, 'application/json').text();
}

/** A response from yoga's processors, with its status and headers, onto Node's; its body stops if the client leaves. */
export async function sendResponse(res: ServerResponse, response: Response, signal: AbortSignal): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  // Leaving the loop cancels the body (and its processor's ping timer).
  for await (const chunk of response.body ?? []) {
    if (signal.aborted) return;
    res.write(chunk);
  }
  res.end();
}
