// yoga's request parsing, with the shape of its JSON checked first: a POST's
// JSON body, a form's or a GET's `variables` and `extensions` parameters.
// Refused before any of it becomes objects (guards/json-shape.ts says why).
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { JsonLimits } from '../../config/index.ts';
import type { GatewayContext } from '../../schema/context.ts';
import { jsonShapeProblem } from '../guards/json-shape.ts';

/** The parameters that yoga parses as JSON when they come in a URL or a form. */
const JSON_PARAMETERS = ['variables', 'extensions'] as const;

export function useRequestShape(limits: JsonLimits): Plugin<GatewayContext> {
  const check = (text: string | null): void => {
    const problem = text === null ? undefined : jsonShapeProblem(text, limits);
    if (problem !== undefined) throw createGraphQLError(problem, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  };
  const checkParameters = (parameters: URLSearchParams): void => JSON_PARAMETERS.forEach((name) => check(parameters.get(name)));
  return {
    onRequestParse({ requestParser, setRequestParser, fetchAPI }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        if (request.method === 'GET') {
          checkParameters(new URL(request.url).searchParams);
          return requestParser(request);
        }
        const type = request.headers.get('content-type') ?? '';
        const form = /^application\/x-www-form-urlencoded\b/i.test(type);
        if (request.method !== 'POST' || !(form || /^application\/(graphql\+)?json\b/i.test(type))) return requestParser(request);
        // Read once (within yoga's body limit, which wraps this parser), checked, then handed on as it came.
        const text = await request.text();
        if (form) checkParameters(new URLSearchParams(text));
        else check(text);
        return requestParser(new fetchAPI.Request(request.url, { method: 'POST', headers: request.headers, body: text }));
      });
    },
  };
}
