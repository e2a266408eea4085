import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/**
 * The refusal of an operation whose estimated cost exceeds `max`, or null. Each field costs 1
 * unless it declares `complexity`; list fields multiply by their `first` argument.
 */
export function complexityRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  max: number,
  operationName?: string | null,
  variables?: Record<string, unknown> | null,
): GraphQLError | null {
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      operationName: operationName ?? undefined,
      query: document,
      variables: variables ?? undefined,
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    // Variables that do not coerce: execution rejects them next with BAD_USER_INPUT.
    return null;
  }
  if (complexity <= max) return null;
  // A refusal of the request as a whole, like the depth limit: HTTP 400.
  return new GraphQLError(`Query is too complex: ${complexity} (at most ${max})`, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', complexity, maxComplexity: max, http: { status: 400 } },
  });
}

/** Rejects operations whose estimated cost exceeds `max` before they run. */
export function complexityPlugin(schema: () => GraphQLSchema, max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const refusal = complexityRefusal(
            schema(),
            document,
            max,
            request.operationName,
            request.variables,
          );
          if (refusal) throw refusal;
        },
      };
    },
  };
}
