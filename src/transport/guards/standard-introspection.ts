// GraphiQL's introspection query is deeper and costlier than any limit a
// client's own documents should get (ofType nests nine levels), and its
// answer is large (the whole schema). It is the one introspection document
// let past the depth and cost limits, and it is answered from a cache: the
// schema does not change while the process runs, so the work is done once.
// Any other introspection document is held to every limit.
import {
  executeSync, getIntrospectionQuery, parse, print, type DocumentNode, type ExecutionResult, type GraphQLSchema, type IntrospectionOptions, type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** What clients may ask of getIntrospectionQuery: GraphiQL and codegen tools turn these on and off. */
const SWITCHES = ['descriptions', 'specifiedByUrl', 'directiveIsRepeatable', 'schemaDescription', 'inputValueDeprecation', 'oneOf'] as const;

/** Every standard introspection document, printed (so that spacing and comments do not matter). */
const STANDARD: ReadonlySet<string> = new Set(
  Array.from({ length: 1 << SWITCHES.length }, (_, bits) => {
    const options: IntrospectionOptions = Object.fromEntries(SWITCHES.map((name, i) => [name, (bits & (1 << i)) !== 0]));
    return print(parse(getIntrospectionQuery(options)));
  }),
);

/** Parsed documents found standard, with their printed text (the key of the answer cache). */
const standardDocuments = new WeakMap<DocumentNode, string>();

/** Records whether a freshly parsed document is a standard introspection query; returns it. */
export function noteStandardIntrospection(document: DocumentNode, text: string): DocumentNode {
  // Only a document that asks for __schema can be one: most are never printed.
  if (text.includes('__schema')) {
    const printed = print(document);
    if (STANDARD.has(printed)) standardDocuments.set(document, printed);
  }
  return document;
}

export const isStandardIntrospection = (document: DocumentNode): boolean => standardDocuments.has(document);

/** The rule, for every document but a standard introspection query. */
export function exceptStandardIntrospection(rule: ValidationRule): ValidationRule {
  return (context) => (isStandardIntrospection(context.getDocument()) ? {} : rule(context));
}

/** Answers a standard introspection query from its cached result; the first of each kind runs once. */
export function useCachedIntrospection(): Plugin {
  const answers = new Map<string, ExecutionResult>();
  const answer = (schema: GraphQLSchema, document: DocumentNode, printed: string): ExecutionResult => {
    let result = answers.get(printed);
    if (!result) answers.set(printed, (result = executeSync({ schema, document })));
    return result;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const printed = standardDocuments.get(args.document);
      if (printed !== undefined) setResultAndStopExecution(answer(args.schema, args.document, printed));
    },
  };
}
