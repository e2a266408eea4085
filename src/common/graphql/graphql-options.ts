import type { ApolloDriverConfig } from '@nestjs/apollo';
import type { GraphQLSchemaHost } from '@nestjs/graphql';
import depthLimit from 'graphql-depth-limit';
import type { ResolvedConfig } from '../../config/config.js';
import { formatGraphQLError } from '../errors/to-graphql-error.js';
import { complexityPlugin } from './complexity.plugin.js';
import { DateTimeScalar } from './date-time.scalar.js';
import { wsOnSubscribe } from './subscription-server.js';

/** graphql-ws hands the context function `{ connectionParams, extra: { socket, request } }`. */
type WsContext = { connectionParams?: Record<string, unknown>; extra?: unknown };

/**
 * Subscriptions authenticate with graphql-ws connectionParams `{ authorization, organizationId }`.
 * They are turned into the same request shape HTTP has, so one set of guards serves both.
 */
export function contextFor({ req, connectionParams, extra }: { req?: unknown } & WsContext) {
  if (!req && (connectionParams || extra)) {
    const p = connectionParams ?? {};
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const authorization = str(p.authorization) ?? str(p.Authorization);
    const organizationId = str(p.organizationId) ?? str(p['x-organization-id']);
    return {
      req: {
        headers: {
          authorization:
            authorization && !/^bearer /i.test(authorization) ? `Bearer ${authorization}` : authorization,
          'x-organization-id': organizationId,
        },
      },
    };
  }
  return { req };
}

export function graphqlOptions(config: ResolvedConfig, schemaHost: GraphQLSchemaHost): ApolloDriverConfig {
  return {
    autoSchemaFile: true,
    buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalar }] },
    sortSchema: true,
    path: '/graphql',
    playground: false,
    introspection: config.graphql.introspection,
    hideSchemaDetailsFromClientErrors: config.graphql.hideSchemaDetails,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: config.graphql.maxTokens },
    subscriptions: {
      'graphql-ws': { path: '/graphql', onSubscribe: wsOnSubscribe(config, () => schemaHost.schema) },
    },
    context: contextFor,
    validationRules: [depthLimit(config.graphql.maxDepth)],
    plugins: [complexityPlugin(() => schemaHost.schema, config.graphql.maxComplexity)],
    formatError: formatGraphQLError as ApolloDriverConfig['formatError'],
  };
}
