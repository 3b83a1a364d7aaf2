// Typed documents for the operations the tests and the smoke client use,
// generated from the committed schema.graphql. `npm run codegen:check` fails when stale.
import type { CodegenConfig } from '@graphql-codegen/cli';

const preset = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: {
    documentMode: 'string',
    useTypeImports: true,
    enumsAsTypes: true,
    emitLegacyCommonJSImports: false,
    // A u64 seed: sent as an Int or a decimal string, returned as a decimal string.
    scalars: { Seed: { input: 'string | number', output: 'string' } },
  },
} as const;

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    // The tests' operations.
    'test/gql/': { ...preset, documents: ['test/operations/*.graphql'] },
    // The typed client of `npm run smoke`, and a start for frontends.
    'client/gql/': { ...preset, documents: ['client/operations/*.graphql'] },
  },
};

export default config;
