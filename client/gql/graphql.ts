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

export type SmokeInfoQueryVariables = Exact<{ [key: string]: never; }>;


export type SmokeInfoQuery = { info: { name: string, version: string, uptimeSeconds: number } };

export type SmokeModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type SmokeModelsQuery = { models: Array<{ id: string, name: string, hfName: string, available: boolean, health: { status: HealthStatus, latencyMs: number | null, error: string | null }, replicas: Array<{ url: string | null, state: ReplicaState, healthy: boolean, inFlight: number }> }> };

export type SmokeGenerateMutationVariables = Exact<{
  input: GenerateInput;
}>;


export type SmokeGenerateMutation = { generate: { modelId: string, generatedText: string, details: { finishReason: FinishReason, generatedTokens: number, seed: string | null } } };

export type SmokeStreamSubscriptionVariables = Exact<{
  input: GenerateInput;
}>;


export type SmokeStreamSubscription = { generateStream: { index: number, generatedText: string | null, token: { text: string }, details: { finishReason: FinishReason, generatedTokens: number } | null } };

export type SmokeChatMutationVariables = Exact<{
  input: ChatInput;
}>;


export type SmokeChatMutation = { chat: { finishReason: FinishReason, message: { role: ChatRole, content: string }, usage: { promptTokens: number, completionTokens: number, totalTokens: number } | null } };

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

export const SmokeInfoDocument = new TypedDocumentString(`
    query SmokeInfo {
  info {
    name
    version
    uptimeSeconds
  }
}
    `) as unknown as TypedDocumentString<SmokeInfoQuery, SmokeInfoQueryVariables>;
export const SmokeModelsDocument = new TypedDocumentString(`
    query SmokeModels {
  models {
    id
    name
    hfName
    available
    health {
      status
      latencyMs
      error
    }
    replicas {
      url
      state
      healthy
      inFlight
    }
  }
}
    `) as unknown as TypedDocumentString<SmokeModelsQuery, SmokeModelsQueryVariables>;
export const SmokeGenerateDocument = new TypedDocumentString(`
    mutation SmokeGenerate($input: GenerateInput!) {
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
    `) as unknown as TypedDocumentString<SmokeGenerateMutation, SmokeGenerateMutationVariables>;
export const SmokeStreamDocument = new TypedDocumentString(`
    subscription SmokeStream($input: GenerateInput!) {
  generateStream(input: $input) {
    index
    token {
      text
    }
    generatedText
    details {
      finishReason
      generatedTokens
    }
  }
}
    `) as unknown as TypedDocumentString<SmokeStreamSubscription, SmokeStreamSubscriptionVariables>;
export const SmokeChatDocument = new TypedDocumentString(`
    mutation SmokeChat($input: ChatInput!) {
  chat(input: $input) {
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
    `) as unknown as TypedDocumentString<SmokeChatMutation, SmokeChatMutationVariables>;