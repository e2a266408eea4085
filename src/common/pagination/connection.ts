import type { Type } from '@nestjs/common';
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { decodeCursor, encodeCursor, type CursorKey } from './cursor.js';
import { pageSize } from './page-args.js';

@ObjectType('PageInfo', { description: 'Where a page ends and whether more follow.' })
export class PageInfo {
  @Field({ description: 'True when items follow the last item of this page.' })
  hasNextPage: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the last item of this page; pass it as `after` for the next page.',
  })
  endCursor: string | null;
}

export interface Edge<T> {
  node: T;
  cursor: string;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * The GraphQL connection type of `classRef`, named `<typeName>Connection` by the subclass:
 * `@ObjectType('ContactConnection', {...}) class ContactConnection extends Paginated(Contact, 'Contact') {}`.
 */
export function Paginated<T>(classRef: Type<T>, typeName: string) {
  @ObjectType(`${typeName}Edge`, { description: `One ${typeName} of a page, with its cursor.` })
  abstract class EdgeType implements Edge<T> {
    @Field(() => classRef, { description: `The ${typeName}.` })
    node: T;

    @Field({ description: `Cursor of this ${typeName}; pass it as \`after\` to continue after it.` })
    cursor: string;
  }

  @ObjectType({ isAbstract: true })
  abstract class ConnectionType implements Connection<T> {
    @Field(() => [EdgeType], { description: 'The items of this page, in order.' })
    edges: EdgeType[];

    @Field(() => PageInfo, { description: 'Where this page ends and whether more follow.' })
    pageInfo: PageInfo;

    @Field(() => Int, { description: 'How many items match the filters, across all pages.' })
    totalCount: number;
  }
  return ConnectionType;
}

export type SortDirection = 'asc' | 'desc';

/** What a repository adds to its own query (combine `where` with AND) to fetch one page. */
export interface PageQuery {
  where: {
    OR?: ({ createdAt: { gt?: Date; lt?: Date } } | { createdAt: Date; id: { gt?: string; lt?: string } })[];
  };
  orderBy: [{ createdAt: SortDirection }, { id: SortDirection }];
  take: number;
}

/**
 * Keyset pagination over (createdAt, id): stable while rows are added, no OFFSET scans.
 * `fetch` runs the page query (it must honour where/orderBy/take), `count` the total.
 */
export async function paginate<T extends CursorKey>(
  args: { first?: number | null; after?: string | null },
  fetch: (q: PageQuery) => Promise<T[]>,
  count: () => Promise<number>,
  direction: SortDirection = 'desc',
): Promise<Connection<T>> {
  const size = pageSize(args.first);
  const after = args.after ? decodeCursor(args.after) : undefined;
  const op = direction === 'asc' ? 'gt' : 'lt';
  const where: PageQuery['where'] = after
    ? {
        OR: [
          { createdAt: { [op]: after.createdAt } },
          { createdAt: after.createdAt, id: { [op]: after.id } },
        ],
      }
    : {};
  const [rows, totalCount] = await Promise.all([
    fetch({ where, orderBy: [{ createdAt: direction }, { id: direction }], take: size + 1 }),
    count(),
  ]);
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(node) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
