// Typed documents for the operations the tests and examples use, generated
// from the committed schema.graphql. `npm run codegen:check` fails when stale.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'test/gql/': {
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
    },
  },
};

export default config;
