// Which fields start a generation upstream (GPU time), declared where each is
// defined: the operation limits (transport/guards/document-limits.ts) read the
// mark off the schema, so a new generation field cannot be left uncounted.
import type { GraphQLField } from 'graphql';

const MARK = 'startsGeneration';

/** Spread into a Pothos field's options: `extensions: startsGeneration`. */
export const startsGeneration = { [MARK]: true } as const;

/** Whether a schema field carries the mark. */
export function isGenerationField(field: GraphQLField<unknown, unknown> | undefined): boolean {
  return field?.extensions[MARK] === true;
}
