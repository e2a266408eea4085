import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/**
 * Rejects operations whose estimated cost exceeds `max` before they run. Each field costs 1
 * unless it declares `complexity`; list fields multiply by their `first` argument.
 */
export function complexityPlugin(schema: () => GraphQLSchema, max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema: schema(),
              operationName: request.operationName,
              query: document,
              variables: request.variables,
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch {
            // Variables that do not coerce: execution rejects them next with BAD_USER_INPUT.
            return;
          }
          if (complexity > max) {
            throw new GraphQLError(`Query is too complex: ${complexity} (at most ${max})`, {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', complexity, maxComplexity: max },
            });
          }
        },
      };
    },
  };
}
