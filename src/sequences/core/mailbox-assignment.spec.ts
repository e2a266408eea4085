import { assignMailboxes } from './mailbox-assignment.js';

const count = (ids: string[]) =>
  ids.reduce<Record<string, number>>((c, id) => ({ ...c, [id]: (c[id] ?? 0) + 1 }), {});

describe('assignMailboxes', () => {
  it('alternates between equal mailboxes in the given order', () => {
    const m = [
      { id: 'a', dailyCap: 100, load: 0 },
      { id: 'b', dailyCap: 100, load: 0 },
    ];
    expect(assignMailboxes(m, 5)).toEqual(['a', 'b', 'a', 'b', 'a']);
  });

  it('weighs by daily cap and by the enrollments a mailbox already carries', () => {
    const byCap = assignMailboxes(
      [
        { id: 'small', dailyCap: 100, load: 0 },
        { id: 'big', dailyCap: 300, load: 0 },
      ],
      400,
    );
    expect(count(byCap)).toEqual({ small: 100, big: 300 });
    const busy = assignMailboxes(
      [
        { id: 'busy', dailyCap: 100, load: 50 },
        { id: 'idle', dailyCap: 100, load: 0 },
      ],
      70,
    );
    expect(count(busy)).toEqual({ busy: 10, idle: 60 });
  });
});
