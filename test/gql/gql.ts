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
    "mutation Chat($input: ChatInput!) {\n  chat(input: $input) {\n    modelId\n    message {\n      role\n      content\n    }\n    finishReason\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}\n\nsubscription ChatStream($input: ChatInput!) {\n  chatStream(input: $input) {\n    modelId\n    index\n    delta\n    finishReason\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}\n\nmutation GenerateWithUsage($input: GenerateInput!) {\n  generate(input: $input) {\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n    }\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}\n\nsubscription GenerateStreamWithUsage($input: GenerateInput!) {\n  generateStream(input: $input) {\n    index\n    token {\n      id\n      text\n      logprob\n      special\n    }\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}": typeof types.ChatDocument,
    "query GatewayInfo {\n  info {\n    name\n    version\n    uptimeSeconds\n  }\n}": typeof types.GatewayInfoDocument,
    "mutation Generate($input: GenerateInput!) {\n  generate(input: $input) {\n    modelId\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n  }\n}\n\nsubscription GenerateStream($input: GenerateInput!) {\n  generateStream(input: $input) {\n    modelId\n    index\n    token {\n      id\n      text\n      logprob\n      special\n    }\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n  }\n}\n\nmutation GenerateWithIntSeedLiteral($modelId: ID!, $prompt: String!) {\n  generate(\n    input: {modelId: $modelId, prompt: $prompt, maxNewTokens: 6, seed: 14875267490767656219}\n  ) {\n    generatedText\n    details {\n      seed\n    }\n  }\n}\n\nmutation GenerateWithStringSeedLiteral($modelId: ID!, $prompt: String!) {\n  generate(\n    input: {modelId: $modelId, prompt: $prompt, maxNewTokens: 6, seed: \"14875267490767656219\"}\n  ) {\n    generatedText\n    details {\n      seed\n    }\n  }\n}": typeof types.GenerateDocument,
    "query Models {\n  models {\n    id\n    name\n    hfName\n    endpoint\n    available\n    health {\n      modelId\n      endpoint\n      healthy\n      status\n      checkedAt\n      latencyMs\n      error\n    }\n    replicas {\n      url\n      healthy\n      inFlight\n      state\n    }\n  }\n}\n\nquery Model($id: ID!) {\n  model(id: $id) {\n    id\n    name\n    available\n    health {\n      status\n      healthy\n      error\n    }\n  }\n}": typeof types.ModelsDocument,
};
const documents: Documents = {
    "mutation Chat($input: ChatInput!) {\n  chat(input: $input) {\n    modelId\n    message {\n      role\n      content\n    }\n    finishReason\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}\n\nsubscription ChatStream($input: ChatInput!) {\n  chatStream(input: $input) {\n    modelId\n    index\n    delta\n    finishReason\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}\n\nmutation GenerateWithUsage($input: GenerateInput!) {\n  generate(input: $input) {\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n    }\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}\n\nsubscription GenerateStreamWithUsage($input: GenerateInput!) {\n  generateStream(input: $input) {\n    index\n    token {\n      id\n      text\n      logprob\n      special\n    }\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}": types.ChatDocument,
    "query GatewayInfo {\n  info {\n    name\n    version\n    uptimeSeconds\n  }\n}": types.GatewayInfoDocument,
    "mutation Generate($input: GenerateInput!) {\n  generate(input: $input) {\n    modelId\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n  }\n}\n\nsubscription GenerateStream($input: GenerateInput!) {\n  generateStream(input: $input) {\n    modelId\n    index\n    token {\n      id\n      text\n      logprob\n      special\n    }\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n  }\n}\n\nmutation GenerateWithIntSeedLiteral($modelId: ID!, $prompt: String!) {\n  generate(\n    input: {modelId: $modelId, prompt: $prompt, maxNewTokens: 6, seed: 14875267490767656219}\n  ) {\n    generatedText\n    details {\n      seed\n    }\n  }\n}\n\nmutation GenerateWithStringSeedLiteral($modelId: ID!, $prompt: String!) {\n  generate(\n    input: {modelId: $modelId, prompt: $prompt, maxNewTokens: 6, seed: \"14875267490767656219\"}\n  ) {\n    generatedText\n    details {\n      seed\n    }\n  }\n}": types.GenerateDocument,
    "query Models {\n  models {\n    id\n    name\n    hfName\n    endpoint\n    available\n    health {\n      modelId\n      endpoint\n      healthy\n      status\n      checkedAt\n      latencyMs\n      error\n    }\n    replicas {\n      url\n      healthy\n      inFlight\n      state\n    }\n  }\n}\n\nquery Model($id: ID!) {\n  model(id: $id) {\n    id\n    name\n    available\n    health {\n      status\n      healthy\n      error\n    }\n  }\n}": types.ModelsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Chat($input: ChatInput!) {\n  chat(input: $input) {\n    modelId\n    message {\n      role\n      content\n    }\n    finishReason\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}\n\nsubscription ChatStream($input: ChatInput!) {\n  chatStream(input: $input) {\n    modelId\n    index\n    delta\n    finishReason\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}\n\nmutation GenerateWithUsage($input: GenerateInput!) {\n  generate(input: $input) {\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n    }\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}\n\nsubscription GenerateStreamWithUsage($input: GenerateInput!) {\n  generateStream(input: $input) {\n    index\n    token {\n      id\n      text\n      logprob\n      special\n    }\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n    usage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n  }\n}"): typeof import('./graphql.js').ChatDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query GatewayInfo {\n  info {\n    name\n    version\n    uptimeSeconds\n  }\n}"): typeof import('./graphql.js').GatewayInfoDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Generate($input: GenerateInput!) {\n  generate(input: $input) {\n    modelId\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n  }\n}\n\nsubscription GenerateStream($input: GenerateInput!) {\n  generateStream(input: $input) {\n    modelId\n    index\n    token {\n      id\n      text\n      logprob\n      special\n    }\n    generatedText\n    details {\n      finishReason\n      generatedTokens\n      seed\n    }\n  }\n}\n\nmutation GenerateWithIntSeedLiteral($modelId: ID!, $prompt: String!) {\n  generate(\n    input: {modelId: $modelId, prompt: $prompt, maxNewTokens: 6, seed: 14875267490767656219}\n  ) {\n    generatedText\n    details {\n      seed\n    }\n  }\n}\n\nmutation GenerateWithStringSeedLiteral($modelId: ID!, $prompt: String!) {\n  generate(\n    input: {modelId: $modelId, prompt: $prompt, maxNewTokens: 6, seed: \"14875267490767656219\"}\n  ) {\n    generatedText\n    details {\n      seed\n    }\n  }\n}"): typeof import('./graphql.js').GenerateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Models {\n  models {\n    id\n    name\n    hfName\n    endpoint\n    available\n    health {\n      modelId\n      endpoint\n      healthy\n      status\n      checkedAt\n      latencyMs\n      error\n    }\n    replicas {\n      url\n      healthy\n      inFlight\n      state\n    }\n  }\n}\n\nquery Model($id: ID!) {\n  model(id: $id) {\n    id\n    name\n    available\n    health {\n      status\n      healthy\n      error\n    }\n  }\n}"): typeof import('./graphql.js').ModelsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
