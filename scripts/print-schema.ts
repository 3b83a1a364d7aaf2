// Writes the schema built by Pothos to schema.graphql (test/schema.test.ts fails when they differ).
import { writeFileSync } from 'node:fs';
import { printedSchema } from '../src/schema/index.ts';

const target = new URL('../schema.graphql', import.meta.url);
writeFileSync(target, printedSchema());
console.log(`wrote ${target.pathname.split('/').pop()}`);
