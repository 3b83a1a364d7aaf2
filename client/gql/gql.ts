/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query SmokeInfo {\n  info {\n    name\n    version\n    uptimeSeconds\n  }\n}\n\nquery SmokeModels {\n  models {\n    id\n    name\n    hfName\n    available\n    health {\n      status\n      latencyMs\n      error\n    }\n    replicas {\n      url\n      state\n      healthy\n      inFlight\n    }\n  }\n}\n\nmutation SmokeGenerate($input: GenerateInput!) {\n  generate(input: $input) {\n    modelId\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n  }\n}\n\nsubscription SmokeStream($input: GenerateInput!) {\n  generateStream(input: $input) {\n    index\n    token {\n      text\n    }\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n    }\n  }\n}\n\nmutation SmokeChat($input: ChatInput!) {\n  chat(input: $input) {\n    message {\n      role\n      content\n    }\n    finishReason\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}": typeof types.SmokeInfoDocument,
};
const documents: Documents = {
    "query SmokeInfo {\n  info {\n    name\n    version\n    uptimeSeconds\n  }\n}\n\nquery SmokeModels {\n  models {\n    id\n    name\n    hfName\n    available\n    health {\n      status\n      latencyMs\n      error\n    }\n    replicas {\n      url\n      state\n      healthy\n      inFlight\n    }\n  }\n}\n\nmutation SmokeGenerate($input: GenerateInput!) {\n  generate(input: $input) {\n    modelId\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n  }\n}\n\nsubscription SmokeStream($input: GenerateInput!) {\n  generateStream(input: $input) {\n    index\n    token {\n      text\n    }\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n    }\n  }\n}\n\nmutation SmokeChat($input: ChatInput!) {\n  chat(input: $input) {\n    message {\n      role\n      content\n    }\n    finishReason\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}": types.SmokeInfoDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SmokeInfo {\n  info {\n    name\n    version\n    uptimeSeconds\n  }\n}\n\nquery SmokeModels {\n  models {\n    id\n    name\n    hfName\n    available\n    health {\n      status\n      latencyMs\n      error\n    }\n    replicas {\n      url\n      state\n      healthy\n      inFlight\n    }\n  }\n}\n\nmutation SmokeGenerate($input: GenerateInput!) {\n  generate(input: $input) {\n    modelId\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n  }\n}\n\nsubscription SmokeStream($input: GenerateInput!) {\n  generateStream(input: $input) {\n    index\n    token {\n      text\n    }\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n    }\n  }\n}\n\nmutation SmokeChat($input: ChatInput!) {\n  chat(input: $input) {\n    message {\n      role\n      content\n    }\n    finishReason\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}"): typeof import('./graphql.js').SmokeInfoDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
