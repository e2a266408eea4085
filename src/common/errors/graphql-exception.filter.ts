import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { toGraphQLError } from './to-graphql-error.js';

const logger = new Logger('HttpErrors');

/**
 * The one place where thrown errors become answers: GraphQL errors with `extensions.code`, and
 * for plain HTTP routes (unknown routes, malformed bodies, tracking links) a small JSON body.
 * Never a stack trace or an HTML error page, in any environment; unknown errors are logged.
 */
@Catch()
export class GraphQLExceptionFilter implements GqlExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    const type = host.getType<string>();
    if (type === 'graphql') return toGraphQLError(exception);
    if (type !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    const known = exception instanceof HttpException;
    const status = known ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    if (!known || status >= 500) {
      logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (res.headersSent) return;
    const message = known && status < 500 ? exception.message : 'Internal server error';
    res.status(status).json({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
  }
}
