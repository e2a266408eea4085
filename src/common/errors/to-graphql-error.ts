import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { Prisma } from '../../generated/prisma/client.js';
import { TemplateError } from '../templates/liquid-templates.js';
import { DomainError, ErrorCode } from './domain-error.js';

const logger = new Logger('Errors');

/** Codes that GraphQL itself (parsing, validation, variable coercion) produces: pass them through. */
const GRAPHQL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

function fromHttp(e: HttpException): DomainError {
  const status = e.getStatus() as HttpStatus;
  const message = e.message;
  if (status === HttpStatus.UNAUTHORIZED)
    return new DomainError(ErrorCode.UNAUTHENTICATED, 'A valid bearer token is required');
  if (status === HttpStatus.FORBIDDEN) return new DomainError(ErrorCode.FORBIDDEN, message);
  if (status === HttpStatus.NOT_FOUND) return new DomainError(ErrorCode.NOT_FOUND, message);
  if (status === HttpStatus.CONFLICT) return new DomainError(ErrorCode.CONFLICT, message);
  if (status === HttpStatus.BAD_REQUEST) return new DomainError(ErrorCode.BAD_USER_INPUT, message);
  return new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
}

function fromPrisma(e: Prisma.PrismaClientKnownRequestError): DomainError | undefined {
  if (e.code === 'P2002') {
    const target = (e.meta?.target as string[] | string | undefined) ?? [];
    const field = Array.isArray(target) ? target.filter((t) => t !== 'organizationId').join(',') : target;
    return new DomainError(ErrorCode.CONFLICT, `A record with this ${field || 'value'} already exists`, {
      field: field || undefined,
    });
  }
  if (e.code === 'P2025') return new DomainError(ErrorCode.NOT_FOUND, 'The record was not found');
  if (e.code === 'P2003')
    return new DomainError(ErrorCode.CONFLICT, 'The record is still referenced elsewhere');
  return undefined;
}

/** Turns anything thrown into a DomainError the client may see; unknown errors are logged and masked. */
export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  // Stored content that cannot be rendered (a budget ran out for this contact, or a template saved
  // before a rule existed): the author can fix it, so say why.
  if (error instanceof TemplateError)
    return new DomainError(ErrorCode.BAD_USER_INPUT, `The content cannot be rendered: ${error.message}`, {
      ...error.detail,
    });
  if (error instanceof HttpException) return fromHttp(error);
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const mapped = fromPrisma(error);
    if (mapped) return mapped;
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
}

export function toGraphQLError(error: unknown): GraphQLError {
  const d = toDomainError(error);
  return new GraphQLError(d.message, { extensions: { code: d.code, ...d.details } });
}

/**
 * Apollo's formatError: keeps errors GraphQL itself raised, maps everything else through
 * toDomainError, and never lets a stack trace or internal message through.
 */
export function formatGraphQLError(
  formatted: {
    message: string;
    extensions?: Record<string, unknown>;
    path?: readonly (string | number)[];
    locations?: unknown;
  },
  error: unknown,
) {
  const original = (error as { originalError?: unknown } | undefined)?.originalError;
  const code = formatted.extensions?.code as string | undefined;
  if (code && GRAPHQL_CODES.has(code) && (!original || code === 'GRAPHQL_PARSE_FAILED')) {
    // The parser throws RangeError on a document nested deeper than the stack (a backstop: such
    // documents are refused before parsing). Its message says nothing useful to a client.
    const message =
      original && !(original instanceof GraphQLError)
        ? 'Syntax Error: the document cannot be parsed.'
        : formatted.message;
    return { message, locations: formatted.locations, extensions: { code } };
  }
  const source = original ?? error;
  if (source instanceof GraphQLError && !source.originalError && code && code !== 'INTERNAL_SERVER_ERROR') {
    const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
    return { message: formatted.message, path: formatted.path, extensions };
  }
  const d = toDomainError(
    source instanceof GraphQLError && source.originalError ? source.originalError : source,
  );
  return { message: d.message, path: formatted.path, extensions: { code: d.code, ...d.details } };
}
