/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** One chat turn: the conversation so far; checked before any upstream call. */
export type ChatInput = {
  /** From -2 to 2. */
  frequencyPenalty?: number | null | undefined;
  /** At least 1; with the messages, within the model's context. */
  maxTokens?: number | null | undefined;
  /** At least one. */
  messages: Array<ChatMessageInput>;
  modelId: string | number;
  /** Whether the model may call several tools in one answer. */
  parallelToolCalls?: boolean | null | undefined;
  /** From -2 to 2. */
  presencePenalty?: number | null | undefined;
  /** TEXT (the default), any JSON object, or JSON that holds a schema. */
  responseFormat?: ResponseFormatInput | null | undefined;
  seed?: string | number | null | undefined;
  /** At most the model's stop-sequence limit (TGI: 4). */
  stop?: Array<string> | null | undefined;
  /** 0 or more; 0 is greedy decoding. */
  temperature?: number | null | undefined;
  /** Only with tools, except mode NONE. */
  toolChoice?: ToolChoiceInput | null | undefined;
  /** At most 128. With tools and no toolChoice, the model chooses (AUTO). */
  tools?: Array<ToolInput> | null | undefined;
  /** Above 0, at most 1. */
  topP?: number | null | undefined;
};

export type ChatMessageInput = {
  content: string;
  role: ChatRole;
  /** A TOOL message: the id of the call it answers. */
  toolCallId?: string | number | null | undefined;
  /** An assistant message that called tools (content may then be empty). */
  toolCalls?: Array<ToolCallInput> | null | undefined;
};

export type ChatRole =
  | 'ASSISTANT'
  | 'SYSTEM'
  | 'TOOL'
  | 'USER';

export type FinishReason =
  | 'EOS_TOKEN'
  | 'LENGTH'
  | 'STOP_SEQUENCE'
  /** The model stopped to call tools. */
  | 'TOOL_CALLS';

/** Parameters of one generation, named and meant as TGI's: a model on another server takes their equivalents, and a field its server cannot honour is refused. Checked before any upstream call. */
export type GenerateInput = {
  doSample?: boolean | null | undefined;
  frequencyPenalty?: number | null | undefined;
  maxNewTokens?: number | null | undefined;
  modelId: string | number;
  prompt: string;
  repetitionPenalty?: number | null | undefined;
  returnFullText?: boolean | null | undefined;
  /** Replays a generation: pass back the seed its details returned. */
  seed?: string | number | null | undefined;
  /** At most the model's stop-sequence limit (TGI: 4). */
  stop?: Array<string> | null | undefined;
  /** Strictly positive. */
  temperature?: number | null | undefined;
  topK?: number | null | undefined;
  /** Strictly between 0 and 1. */
  topP?: number | null | undefined;
  truncate?: number | null | undefined;
  typicalP?: number | null | undefined;
  watermark?: boolean | null | undefined;
};

export type HealthStatus =
  | 'AVAILABLE'
  | 'NOT_CONFIGURED'
  | 'UNAVAILABLE';

/** EJECTED: taken out of rotation after consecutive failures, until a probe succeeds. */
export type ReplicaState =
  | 'EJECTED'
  | 'HEALTHY'
  | 'UNHEALTHY';

export type ResponseFormatInput = {
  /** JSON_SCHEMA: the schema's name and the schema itself. */
  name?: string | null | undefined;
  schema?: unknown;
  type: ResponseFormatType;
};

export type ResponseFormatType =
  | 'JSON_OBJECT'
  | 'JSON_SCHEMA'
  | 'TEXT';

/** A call an earlier assistant message made. */
export type ToolCallInput = {
  /** The arguments as JSON text, as the model produced them. */
  arguments: string;
  id: string | number;
  name: string;
};

/** Exactly one of the two. */
export type ToolChoiceInput = {
  /** Force a call of this tool. */
  function?: string | null | undefined;
  mode?: ToolChoiceMode | null | undefined;
};

export type ToolChoiceMode =
  | 'AUTO'
  | 'NONE'
  | 'REQUIRED';

/** A tool the model may call. */
export type ToolInput = {
  description?: string | null | undefined;
  /** Letters, digits, _ and -; 1 to 64 characters; unique among the tools. */
  name: string;
  /** A JSON Schema for the arguments (an object schema). Absent: no arguments. */
  parameters?: unknown;
};

export type ChatMutationVariables = Exact<{
  input: ChatInput;
}>;


export type ChatMutation = { chat: { modelId: string, finishReason: FinishReason, message: { role: ChatRole, content: string }, usage: { promptTokens: number, completionTokens: number, totalTokens: number } | null } };

export type ChatStreamSubscriptionVariables = Exact<{
  input: ChatInput;
}>;


export type ChatStreamSubscription = { chatStream: { modelId: string, index: number, delta: string, finishReason: FinishReason | null, usage: { promptTokens: number, completionTokens: number, totalTokens: number } | null } };

export type GenerateWithUsageMutationVariables = Exact<{
  input: GenerateInput;
}>;


export type GenerateWithUsageMutation = { generate: { generatedText: string, details: { finishReason: FinishReason, generatedTokens: number }, usage: { promptTokens: number, completionTokens: number, totalTokens: number } | null } };

export type GenerateStreamWithUsageSubscriptionVariables = Exact<{
  input: GenerateInput;
}>;


export type GenerateStreamWithUsageSubscription = { generateStream: { index: number, generatedText: string | null, token: { id: number, text: string, logprob: number | null, special: boolean }, details: { finishReason: FinishReason, generatedTokens: number, seed: string | null } | null, usage: { promptTokens: number, completionTokens: number, totalTokens: number } | null } };

export type GatewayInfoQueryVariables = Exact<{ [key: string]: never; }>;


export type GatewayInfoQuery = { info: { name: string, version: string, uptimeSeconds: number } };

export type GenerateMutationVariables = Exact<{
  input: GenerateInput;
}>;


export type GenerateMutation = { generate: { modelId: string, generatedText: string, details: { finishReason: FinishReason, generatedTokens: number, seed: string | null } } };

export type GenerateStreamSubscriptionVariables = Exact<{
  input: GenerateInput;
}>;


export type GenerateStreamSubscription = { generateStream: { modelId: string, index: number, generatedText: string | null, token: { id: number, text: string, logprob: number | null, special: boolean }, details: { finishReason: FinishReason, generatedTokens: number, seed: string | null } | null } };

export type GenerateWithIntSeedLiteralMutationVariables = Exact<{
  modelId: string | number;
  prompt: string;
}>;


export type GenerateWithIntSeedLiteralMutation = { generate: { generatedText: string, details: { seed: string | null } } };

export type GenerateWithStringSeedLiteralMutationVariables = Exact<{
  modelId: string | number;
  prompt: string;
}>;


export type GenerateWithStringSeedLiteralMutation = { generate: { generatedText: string, details: { seed: string | null } } };

export type ModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ModelsQuery = { models: Array<{ id: string, name: string, hfName: string, endpoint: string | null, available: boolean, health: { modelId: string, endpoint: string | null, healthy: boolean, status: HealthStatus, checkedAt: string, latencyMs: number | null, error: string | null }, replicas: Array<{ url: string | null, healthy: boolean, inFlight: number, state: ReplicaState }> }> };

export type ModelQueryVariables = Exact<{
  id: string | number;
}>;


export type ModelQuery = { model: { id: string, name: string, available: boolean, health: { status: HealthStatus, healthy: boolean, error: string | null } } | null };

export type ChatWithToolsMutationVariables = Exact<{
  input: ChatInput;
}>;


export type ChatWithToolsMutation = { chat: { modelId: string, finishReason: FinishReason, parsedContent: unknown, validationErrors: Array<string>, message: { role: ChatRole, content: string, toolCalls: Array<{ id: string, name: string, arguments: string, parsedArguments: unknown, validationErrors: Array<string> }> }, usage: { promptTokens: number, completionTokens: number, totalTokens: number } | null } };

export type ChatStreamWithToolsSubscriptionVariables = Exact<{
  input: ChatInput;
}>;


export type ChatStreamWithToolsSubscription = { chatStream: { index: number, delta: string, finishReason: FinishReason | null, partialContent: unknown, toolCallDeltas: Array<{ index: number, id: string | null, name: string | null, argumentsDelta: string, partialArguments: unknown }>, toolCalls: Array<{ id: string, name: string, arguments: string, parsedArguments: unknown, validationErrors: Array<string> }> | null, usage: { completionTokens: number } | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ChatDocument = new TypedDocumentString(`
    mutation Chat($input: ChatInput!) {
  chat(input: $input) {
    modelId
    message {
      role
      content
    }
    finishReason
    usage {
      promptTokens
      completionTokens
      totalTokens
    }
  }
}
    `) as unknown as TypedDocumentString<ChatMutation, ChatMutationVariables>;
export const ChatStreamDocument = new TypedDocumentString(`
    subscription ChatStream($input: ChatInput!) {
  chatStream(input: $input) {
    modelId
    index
    delta
    finishReason
    usage {
      promptTokens
      completionTokens
      totalTokens
    }
  }
}
    `) as unknown as TypedDocumentString<ChatStreamSubscription, ChatStreamSubscriptionVariables>;
export const GenerateWithUsageDocument = new TypedDocumentString(`
    mutation GenerateWithUsage($input: GenerateInput!) {
  generate(input: $input) {
    generatedText
    details {
      finishReason
      generatedTokens
    }
    usage {
      promptTokens
      completionTokens
      totalTokens
    }
  }
}
    `) as unknown as TypedDocumentString<GenerateWithUsageMutation, GenerateWithUsageMutationVariables>;
export const GenerateStreamWithUsageDocument = new TypedDocumentString(`
    subscription GenerateStreamWithUsage($input: GenerateInput!) {
  generateStream(input: $input) {
    index
    token {
      id
      text
      logprob
      special
    }
    generatedText
    details {
      finishReason
      generatedTokens
      seed
    }
    usage {
      promptTokens
      completionTokens
      totalTokens
    }
  }
}
    `) as unknown as TypedDocumentString<GenerateStreamWithUsageSubscription, GenerateStreamWithUsageSubscriptionVariables>;
export const GatewayInfoDocument = new TypedDocumentString(`
    query GatewayInfo {
  info {
    name
    version
    uptimeSeconds
  }
}
    `) as unknown as TypedDocumentString<GatewayInfoQuery, GatewayInfoQueryVariables>;
export const GenerateDocument = new TypedDocumentString(`
    mutation Generate($input: GenerateInput!) {
  generate(input: $input) {
    modelId
    generatedText
    details {
      finishReason
      generatedTokens
      seed
    }
  }
}
    `) as unknown as TypedDocumentString<GenerateMutation, GenerateMutationVariables>;
export const GenerateStreamDocument = new TypedDocumentString(`
    subscription GenerateStream($input: GenerateInput!) {
  generateStream(input: $input) {
    modelId
    index
    token {
      id
      text
      logprob
      special
    }
    generatedText
    details {
      finishReason
      generatedTokens
      seed
    }
  }
}
    `) as unknown as TypedDocumentString<GenerateStreamSubscription, GenerateStreamSubscriptionVariables>;
export const GenerateWithIntSeedLiteralDocument = new TypedDocumentString(`
    mutation GenerateWithIntSeedLiteral($modelId: ID!, $prompt: String!) {
  generate(
    input: {modelId: $modelId, prompt: $prompt, maxNewTokens: 6, seed: 14875267490767656219}
  ) {
    generatedText
    details {
      seed
    }
  }
}
    `) as unknown as TypedDocumentString<GenerateWithIntSeedLiteralMutation, GenerateWithIntSeedLiteralMutationVariables>;
export const GenerateWithStringSeedLiteralDocument = new TypedDocumentString(`
    mutation GenerateWithStringSeedLiteral($modelId: ID!, $prompt: String!) {
  generate(
    input: {modelId: $modelId, prompt: $prompt, maxNewTokens: 6, seed: "14875267490767656219"}
  ) {
    generatedText
    details {
      seed
    }
  }
}
    `) as unknown as TypedDocumentString<GenerateWithStringSeedLiteralMutation, GenerateWithStringSeedLiteralMutationVariables>;
export const ModelsDocument = new TypedDocumentString(`
    query Models {
  models {
    id
    name
    hfName
    endpoint
    available
    health {
      modelId
      endpoint
      healthy
      status
      checkedAt
      latencyMs
      error
    }
    replicas {
      url
      healthy
      inFlight
      state
    }
  }
}
    `) as unknown as TypedDocumentString<ModelsQuery, ModelsQueryVariables>;
export const ModelDocument = new TypedDocumentString(`
    query Model($id: ID!) {
  model(id: $id) {
    id
    name
    available
    health {
      status
      healthy
      error
    }
  }
}
    `) as unknown as TypedDocumentString<ModelQuery, ModelQueryVariables>;
export const ChatWithToolsDocument = new TypedDocumentString(`
    mutation ChatWithTools($input: ChatInput!) {
  chat(input: $input) {
    modelId
    message {
      role
      content
      toolCalls {
        id
        name
        arguments
        parsedArguments
        validationErrors
      }
    }
    finishReason
    parsedContent
    validationErrors
    usage {
      promptTokens
      completionTokens
      totalTokens
    }
  }
}
    `) as unknown as TypedDocumentString<ChatWithToolsMutation, ChatWithToolsMutationVariables>;
export const ChatStreamWithToolsDocument = new TypedDocumentString(`
    subscription ChatStreamWithTools($input: ChatInput!) {
  chatStream(input: $input) {
    index
    delta
    finishReason
    toolCallDeltas {
      index
      id
      name
      argumentsDelta
      partialArguments
    }
    toolCalls {
      id
      name
      arguments
      parsedArguments
      validationErrors
    }
    partialContent
    usage {
      completionTokens
    }
  }
}
    `) as unknown as TypedDocumentString<ChatStreamWithToolsSubscription, ChatStreamWithToolsSubscriptionVariables>;