import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, parse, type DocumentNode } from 'graphql';

/**
 * Limits on a GraphQL document before graphql-js parses it. The parser is recursive: a document
 * of a few thousand nested `{`, `[` or `(` exhausts the stack, so nesting is measured first with a
 * flat scan, and the token count is bounded by graphql-js's own `maxTokens`.
 */

/** Deeper than any real operation (selection depth is limited to GRAPHQL_MAX_DEPTH anyway). */
export const MAX_DOCUMENT_NESTING = 100;

/** True when brackets of `source` (outside strings and comments) nest deeper than `limit`. */
export function nestsDeeperThan(source: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        i += 3;
        while (i < source.length && !source.startsWith('"""', i)) i += source.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        i++;
        while (i < source.length && source[i] !== '"' && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
      }
    } else if (c === '{' || c === '[' || c === '(') {
      if (++depth > limit) return true;
    } else if (c === '}' || c === ']' || c === ')') {
      depth--;
    }
  }
  return false;
}

export const tooDeeplyNested = () =>
  new GraphQLError(`Syntax Error: the document nests deeper than ${MAX_DOCUMENT_NESTING} levels.`, {
    extensions: { code: 'GRAPHQL_PARSE_FAILED', http: { status: 400 } },
  });

/** graphql-js parse with the same limits as HTTP requests; throws GraphQLError GRAPHQL_PARSE_FAILED. */
export function parseLimited(source: string, maxTokens: number): DocumentNode {
  if (nestsDeeperThan(source, MAX_DOCUMENT_NESTING)) throw tooDeeplyNested();
  try {
    return parse(source, { maxTokens });
  } catch (e) {
    const message = e instanceof GraphQLError ? e.message : 'Syntax Error: the document cannot be parsed.';
    throw new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
  }
}

/**
 * Express middleware before Apollo on the GraphQL path: answers a too deeply nested document
 * with 400 GRAPHQL_PARSE_FAILED instead of letting the parser run out of stack.
 */
export function documentNestingGuard() {
  return (req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    const fromBody = (b: unknown) =>
      b && typeof b === 'object' && typeof (b as { query?: unknown }).query === 'string'
        ? [(b as { query: string }).query]
        : [];
    const queries = [
      ...(Array.isArray(body) ? body.flatMap(fromBody) : fromBody(body)),
      ...(typeof req.query?.query === 'string' ? [req.query.query] : []),
    ];
    if (queries.some((q) => nestsDeeperThan(q, MAX_DOCUMENT_NESTING))) {
      const { message, extensions } = tooDeeplyNested();
      res.status(400).json({ errors: [{ message, extensions: { code: extensions.code } }] });
      return;
    }
    next();
  };
}
