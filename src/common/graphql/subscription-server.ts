import depthLimit from 'graphql-depth-limit';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  OperationTypeNode,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
} from 'graphql';
import type { ResolvedConfig } from '../../config/config.js';
import { complexityRefusal } from './complexity.plugin.js';
import { parseLimited } from './document-limits.js';

/** Apollo's wording rule for hiding schema details: drop the "Did you mean …?" tail. */
export const withoutSuggestions = (message: string) => message.replace(/ ?Did you mean(.+?)\?$/, '');

interface SubscribePayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/**
 * graphql-ws `onSubscribe`: the WebSocket gets the checks Apollo applies over HTTP (parse limits,
 * depth, complexity, introspection, no suggestions in production). It serves subscriptions only:
 * queries and mutations go over HTTP, where they have the client address and its rate limits.
 */
export function wsOnSubscribe(config: ResolvedConfig, schema: () => GraphQLSchema) {
  const rules = [
    ...specifiedRules,
    depthLimit(config.graphql.maxDepth),
    ...(config.graphql.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  const refuse = (errors: readonly GraphQLError[]) =>
    errors.map(
      (e) =>
        new GraphQLError(config.graphql.hideSchemaDetails ? withoutSuggestions(e.message) : e.message, {
          nodes: e.nodes,
          extensions: { code: (e.extensions?.code as string | undefined) ?? 'GRAPHQL_VALIDATION_FAILED' },
        }),
    );
  return (_ctx: unknown, _id: string, payload: SubscribePayload): ExecutionArgs | readonly GraphQLError[] => {
    let document;
    try {
      document = parseLimited(payload.query, config.graphql.maxTokens);
    } catch (e) {
      return refuse([e as GraphQLError]);
    }
    const errors = validate(schema(), document, rules);
    if (errors.length) return refuse(errors);
    const operation = getOperationAST(document, payload.operationName);
    if (operation && operation.operation !== OperationTypeNode.SUBSCRIPTION) {
      return refuse([
        new GraphQLError(
          'Only subscriptions are served over WebSocket; send queries and mutations over HTTP',
          {
            extensions: { code: 'BAD_REQUEST' },
          },
        ),
      ]);
    }
    const tooComplex = complexityRefusal(
      schema(),
      document,
      config.graphql.maxComplexity,
      payload.operationName,
      payload.variables,
    );
    if (tooComplex) return refuse([tooComplex]);
    return {
      schema: schema(),
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
    };
  };
}
