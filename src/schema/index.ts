// The schema: each domain file adds its types to the one builder.
import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.ts';
import './gateway.ts';
import './model.ts';
import './generation.ts';
import './chat.ts';
import './chat-tools.ts';

export const schema = builder.toSchema();

/** The SDL committed as schema.graphql (sorted, so diffs show real changes only). */
export const printedSchema = (): string => `${printSchema(lexicographicSortSchema(schema))}\n`;
