import { Catch, type ArgumentsHost } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import { toGraphQLError } from './to-graphql-error.js';

/** The one place where thrown errors become GraphQL errors with `extensions.code`. */
@Catch()
export class GraphQLExceptionFilter implements GqlExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType<string>() !== 'graphql') throw exception;
    return toGraphQLError(exception);
  }
}
