// What a subscribe message becomes before graphql-ws runs it. It is refused
// while the gateway drains, once its socket is closing or before it was
// acknowledged, and past WS_MAX_OPERATIONS; else its document (its own or a
// persisted one) is parsed and validated by yoga's enveloped pipeline, and it
// gets a fresh context holding its one signal. A refusal ends that operation
// only, coded and counted: the socket stays open.
import { randomUUID } from 'node:crypto';
import { getOperationAST, type DocumentNode, type ExecutionArgs, type GraphQLError, type GraphQLSchema } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { createGraphQLError } from 'graphql-yoga';
import type { PersistedOperationsConfig } from '../../config/index.ts';
import { errorExtensions, GatewayError, shuttingDown } from '../../errors.ts';
import { parseTraceparent } from '../../lib/trace.ts';
import { documentOf, persistedRefusal } from '../http/persisted-operations.ts';
import { codeOf, finishError } from '../http/finished-errors.ts';
import type { GraphQLHandler, ServerContext } from '../http/yoga.ts';
import { OperationSignal } from '../common/operation-signal.ts';
import type { Lifecycle } from '../common/lifecycle.ts';
import type { RefusalListener } from '../common/refusal.ts';
import type { Session } from './session.ts';

type Enveloped = ReturnType<GraphQLHandler['getEnveloped']>;

/**
 * The execution arguments of an operation ready to run, and what runs them:
 * graphql-ws hands them back as they are to its execute or subscribe.
 */
export class PreparedOperation implements ExecutionArgs {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly operationName: string | null;
  readonly variableValues: Record<string, unknown> | null;
  readonly contextValue: unknown;
  /** Present: graphql-ws then leaves it (it would set its own roots'). */
  readonly rootValue = undefined;
  readonly env: Enveloped;
  readonly requestId: string;
  readonly operation: OperationSignal;
  readonly session: Session;
  /** The subscribe message's payload, by which the session counts the operation (an id may be taken again). */
  readonly payload: SubscribePayload;

  constructor(
    env: Enveloped,
    document: DocumentNode,
    contextValue: unknown,
    { requestId, operation, session, payload }: { requestId: string; operation: OperationSignal; session: Session; payload: SubscribePayload },
  ) {
    this.schema = env.schema;
    this.document = document;
    this.operationName = payload.operationName ?? null;
    this.variableValues = payload.variables ?? null;
    this.contextValue = contextValue;
    this.env = env;
    this.requestId = requestId;
    this.operation = operation;
    this.session = session;
    this.payload = payload;
  }
}

export interface SubscribeOptions {
  lifecycle: Lifecycle;
  production: boolean;
  persistedOperations: PersistedOperationsConfig | undefined;
  /** Operations one socket may have running at once. */
  maxOperations: number;
  onRefused: RefusalListener;
}

// By name: graphql's CJS and ESM builds each have their own GraphQLError class.
const isGraphQLError = (error: unknown): error is GraphQLError => error instanceof Error && error.name === 'GraphQLError';

export function subscribePreparer(yoga: GraphQLHandler, options: SubscribeOptions) {
  return async function prepare(session: Session, payload: SubscribePayload): Promise<PreparedOperation | readonly GraphQLError[]> {
    const requestId = randomUUID();
    const finished = (errors: readonly GraphQLError[]) => {
      if (errors[0]) options.onRefused('ws', codeOf(errors[0]), requestId);
      return errors.map((e) => finishError(e, requestId, options.production, true));
    };
    const refused = (error: GatewayError) => {
      options.onRefused('ws', error.code, requestId);
      return [createGraphQLError(error.message, { extensions: errorExtensions(error, requestId) })];
    };
    if (options.lifecycle.draining) return refused(shuttingDown());
    // Closing already (a second connection_init, say): what arrived behind it must not run.
    if (session.socket.readyState !== session.socket.OPEN) return refused(new GatewayError('UNAUTHENTICATED', 'the connection is closing'));
    if (!session.caller) return refused(new GatewayError('UNAUTHENTICATED', 'the connection was not acknowledged'));
    if (session.running >= options.maxOperations) {
      return refused(new GatewayError('RATE_LIMITED', `at most ${options.maxOperations} operations may run at once on one socket (WS_MAX_OPERATIONS)`, { retryAfterSeconds: 1 }));
    }
    const operation = new OperationSignal();
    const context: ServerContext = {
      requestId,
      caller: session.caller,
      transport: 'ws',
      traceparent: parseTraceparent(session.upgrade.headers.traceparent),
      signal: operation.signal,
    };
    const env = yoga.getEnveloped({ ...context, params: payload });
    const source = documentOf(options.persistedOperations, payload);
    if ('refused' in source) return finished([persistedRefusal(source.refused)]);
    let document: DocumentNode;
    try {
      document = env.parse(source.document);
    } catch (error) {
      // Thrown, a syntax error would close the whole socket; returned, it ends this operation only.
      return finished([isGraphQLError(error) ? error : createGraphQLError('Syntax Error')]);
    }
    const errors = env.validate(env.schema, document);
    if (errors.length > 0) return finished(errors);
    // graphql-ws would say this itself, after this hook, without a code.
    if (!getOperationAST(document, payload.operationName)) {
      return finished([createGraphQLError('Unable to identify operation: name the one to run (operationName)', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
    }
    session.started(payload, operation);
    return new PreparedOperation(env, document, await env.contextFactory(), { requestId, operation, session, payload });
  };
}
