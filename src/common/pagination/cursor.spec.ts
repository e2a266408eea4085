import { DomainError } from '../errors/domain-error.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { paginate, type PageQuery } from './connection.js';
import { pageSize } from './page-args.js';

describe('cursor', () => {
  const key = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: '0b6f2d7e-9a49-4f7b-8c5e-0d0f7a0e9c11' };

  it('round-trips (createdAt, id) through an opaque string', () => {
    const cursor = encodeCursor(key);
    expect(cursor).not.toContain(key.id);
    expect(decodeCursor(cursor)).toEqual(key);
  });

  it.each(['', 'garbage', Buffer.from('2026-01-01T00:00:00.000Z|not-a-uuid').toString('base64url')])(
    'rejects %j as BAD_USER_INPUT naming the argument',
    (bad) => {
      expect(() => decodeCursor(bad)).toThrow(DomainError);
      expect(() => decodeCursor(bad, 'after')).toThrow(
        expect.objectContaining({ details: { field: 'after' } }),
      );
    },
  );
});

describe('paginate', () => {
  const rows = Array.from({ length: 5 }, (_, i) => ({
    id: `00000000-0000-4000-8000-00000000000${i}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
  }));
  const fetch = async (q: PageQuery) => {
    const after = q.where.OR?.[1] as { createdAt: Date; id: { lt: string } } | undefined;
    const sorted = [...rows].reverse();
    const from = after ? sorted.findIndex((r) => r.id === after.id.lt) + 1 : 0;
    return sorted.slice(from, from + q.take);
  };

  it('pages newest first with an end cursor and hasNextPage', async () => {
    const first = await paginate({ first: 2 }, fetch, async () => rows.length);
    expect(first.edges.map((e) => e.node.id)).toEqual([rows[4].id, rows[3].id]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.totalCount).toBe(5);
    const last = await paginate({ first: 3, after: first.pageInfo.endCursor }, fetch, async () => 5);
    expect(last.edges.map((e) => e.node.id)).toEqual([rows[2].id, rows[1].id, rows[0].id]);
    expect(last.pageInfo.hasNextPage).toBe(false);
  });

  it('caps the page size', () => {
    expect(pageSize(10_000)).toBe(200);
    expect(pageSize(undefined)).toBe(50);
  });
});
