// yoga's request parsing, with the gateway's answer to parameters that are not JSON.
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../../schema/context.ts';

/**
 * A GET (or form) request whose `variables` or `extensions` parameter is not
 * JSON makes yoga's parser throw a SyntaxError, which would be masked as a
 * 500: it is the client's mistake, so it is a 400 BAD_REQUEST.
 */
export function useParameterErrors(): Plugin<GatewayContext> {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw createGraphQLError('the request\'s variables or extensions are not valid JSON', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
  };
}
