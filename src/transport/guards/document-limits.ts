// Bounds on what one GraphQL document may cost the gateway before it runs:
// its size and token count (parsing and the parse cache), its shape (depth,
// aliases, directives, cost: graphql-armor's rules), and how many generations
// it may start (GPU time). Envelop hooks, so that they hold on the WebSocket
// path as on HTTP.
import { GraphQLError, parse, type GraphQLFieldMap, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { DocumentLimits } from '../../config/index.ts';
import { isGenerationField } from '../../schema/starts-generation.ts';
import { nestingDepth } from './document-shape.ts';
import { noteTokens } from './parse-cache.ts';
import { exceptStandardIntrospection, noteStandardIntrospection } from './standard-introspection.ts';

/** Deeper brackets than any sensible document holds; far below what overflows the parser's stack. */
const MAX_NESTING = 64;

export type { DocumentLimits };

/** Refuses oversized documents before they are parsed or cached, and parses with a token limit. */
export function useDocumentLimits(limits: DocumentLimits): Plugin {
  const refused = (message: string) => new GraphQLError(`Syntax Error: ${message}`, { extensions: { code: 'GRAPHQL_PARSE_FAILED', http: { status: 400 } } });
  const tooLarge = refused(`the document is larger than ${limits.maxBytes} bytes; send long values, such as prompts, as variables.`);
  const tooDeep = refused(`brackets nest more than ${MAX_NESTING} deep.`);
  // Built once: yoga's validation cache is keyed by the rules' names.
  // Armor's rules throw by default, which makes validation itself fail (no code, no
  // other errors): reported, their errors are validation errors like any other.
  const reported = { propagateOnRejection: false, onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)] };
  const rules: ValidationRule[] = [
    maxGenerationsRule(limits.maxGenerations),
    // Introspection is held to depth and cost like any query, but for GraphiQL's standard one.
    exceptStandardIntrospection(maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: false, ...reported })),
    // An alias of __typename costs a response key like any other (armor lets them all pass).
    maxAliasesRule({ n: limits.maxAliases, allowList: [], ...reported }),
    maxDirectivesRule({ n: limits.maxDirectives, ...reported }),
    exceptStandardIntrospection(costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: false, ...reported })),
  ];
  if (!limits.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return {
    onParse({ params, setParseFn }) {
      const text = typeof params.source === 'string' ? params.source : params.source.body;
      // UTF-8 needs at most 3 bytes per UTF-16 unit: most documents are never measured.
      if (text.length * 3 > limits.maxBytes && Buffer.byteLength(text, 'utf8') > limits.maxBytes) throw tooLarge;
      if (nestingDepth(text, MAX_NESTING) > MAX_NESTING) throw tooDeep;
      setParseFn((source, options) => noteStandardIntrospection(noteTokens(parse(source, { ...options, maxTokens: limits.maxTokens })), text));
    },
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}

/**
 * An operation may start at most `max` generations: twenty aliased `generate`
 * (or `chat`) fields would otherwise cost twenty GPU generations for one
 * request. A field starts one when the schema marks it so
 * (schema/starts-generation.ts). Fields with the same response key merge into
 * one execution, so keys are counted.
 */
export function maxGenerationsRule(max: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const root = context.getSchema().getRootType(operation.operation);
      const keys = new Set<string>();
      if (root) collectGenerationKeys(operation.selectionSet, root.getFields(), context, keys, new Set());
      if (keys.size > max) {
        context.reportError(new GraphQLError(
          `An operation may start at most ${max} generation${max === 1 ? '' : 's'}; this one asks for ${keys.size}. Send one request per generation.`,
          { nodes: operation },
        ));
      }
      return false;
    },
  });
}

/**
 * Generation fields sit on root types only (a schema test holds every marked
 * field to that), so only the root selection and its fragments are read: a
 * walk of the whole document could be made exponential by nested fragments.
 */
function collectGenerationKeys(selections: SelectionSetNode, fields: GraphQLFieldMap<unknown, unknown>, context: ValidationContext, keys: Set<string>, seen: Set<string>): void {
  for (const selection of selections.selections) {
    if (selection.kind === 'Field') {
      if (isGenerationField(fields[selection.name.value])) keys.add(selection.alias?.value ?? selection.name.value);
    } else if (selection.kind === 'InlineFragment') {
      collectGenerationKeys(selection.selectionSet, fields, context, keys, seen);
    } else if (!seen.has(selection.name.value)) {
      // A fragment cycle is reported by graphql-js's own rule; here it must only not loop.
      seen.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) collectGenerationKeys(fragment.selectionSet, fields, context, keys, seen);
    }
  }
}
