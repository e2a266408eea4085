import { signUpWithOrg, type Account } from './factories/accounts.js';
import { waitFor } from './factories/campaigns.js';
import { GraphQLClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CREATE_LIST = `mutation($i: CreateContactListInput!) {
  createContactList(input: $i) { id name description contactCount createdAt }
}`;
const ADD = `mutation($i: AddContactsInput!) {
  addContacts(input: $i) { added alreadyInList created updated list { id contactCount } }
}`;
const IMPORT = `mutation($i: ImportContactsInput!) {
  importContacts(input: $i) {
    accepted duplicates rejected created updated added alreadyInList
    list { contactCount }
    rows { line email status reason }
  }
}`;
const CONTACTS = `query($first: Int, $after: String, $listId: ID, $search: String) {
  contacts(first: $first, after: $after, listId: $listId, search: $search) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id email firstName lastName company timezone attributes } }
  }
}`;
const SUPPRESSIONS = `query($first: Int, $after: String) {
  suppressions(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { email reason note } }
  }
}`;

describe('recipients: lists, contacts, CSV import, suppressions', () => {
  let t: TestApp;
  let api: GraphQLClient;
  let alice: Account;
  let bob: Account;
  let asAlice: GraphQLClient;
  let asBob: GraphQLClient;

  const newList = async (name: string, as = asAlice) =>
    (await as.ok(CREATE_LIST, { i: { name } })).createContactList as { id: string; name: string };

  beforeAll(async () => {
    t = await startTestApp();
    api = new GraphQLClient(t.url);
    alice = await signUpWithOrg(api, 'alice');
    bob = await signUpWithOrg(api, 'bob');
    asAlice = api.as({ token: alice.token, org: alice.org });
    asBob = api.as({ token: bob.token, org: bob.org });
  });
  afterAll(() => t.close());

  it('creates lists with unique names and lists them with their sizes', async () => {
    const { createContactList } = await asAlice.ok(CREATE_LIST, {
      i: { name: '  Customers ', description: 'Paying ones' },
    });
    expect(createContactList).toMatchObject({
      name: 'Customers',
      description: 'Paying ones',
      contactCount: 0,
    });
    const dup = await asAlice.error(CREATE_LIST, { i: { name: 'Customers' } });
    expect(dup.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
    const empty = await asAlice.error(CREATE_LIST, { i: { name: '  ' } });
    expect(empty.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    // Another organization may use the same name.
    await newList('Customers', asBob);
    const { contactLists } = await asAlice.ok(`{ contactLists { id name contactCount } }`);
    expect(contactLists).toEqual([{ id: createContactList.id, name: 'Customers', contactCount: 0 }]);
  });

  it('adds contacts with normalized emails and upserts by address', async () => {
    const list = await newList('Upserts');
    const first = await asAlice.ok(ADD, {
      i: {
        listId: list.id,
        contacts: [
          {
            email: '  Ada@Example.COM ',
            firstName: 'Ada',
            company: 'Analytical',
            attributes: { plan: 'pro' },
          },
          { email: 'grace@example.com', timezone: 'America/New_York' },
          { email: 'ADA@example.com', lastName: 'Lovelace' },
        ],
      },
    });
    expect(first.addContacts).toEqual({
      added: 2,
      alreadyInList: 0,
      created: 2,
      updated: 0,
      list: { id: list.id, contactCount: 2 },
    });
    const second = await asAlice.ok(ADD, {
      i: {
        listId: list.id,
        contacts: [
          { email: 'ada@example.com', firstName: 'Augusta', attributes: { seats: 3 } },
          { email: 'linus@example.com' },
        ],
      },
    });
    expect(second.addContacts).toMatchObject({ added: 1, alreadyInList: 1, created: 1, updated: 1 });
    // An existing contact joins another list without being created again.
    const other = await newList('Other');
    const third = await asAlice.ok(ADD, {
      i: { listId: other.id, contacts: [{ email: 'grace@example.com' }] },
    });
    expect(third.addContacts).toMatchObject({ added: 1, alreadyInList: 0, created: 0, updated: 1 });

    const { contacts } = await asAlice.ok(CONTACTS, { listId: list.id, search: 'ADA@' });
    expect(contacts.totalCount).toBe(1);
    expect(contacts.edges[0].node).toMatchObject({
      email: 'ada@example.com',
      firstName: 'Augusta',
      lastName: 'Lovelace',
      company: 'Analytical',
      timezone: null,
      attributes: { plan: 'pro', seats: 3 },
    });
    const grace = await asAlice.ok(CONTACTS, { search: 'grace' });
    expect(grace.contacts.edges[0].node.timezone).toBe('America/New_York');
  });

  it('rejects invalid contacts with BAD_USER_INPUT naming the field, and saves nothing', async () => {
    const list = await newList('Validation');
    const cases: [Record<string, unknown>, string][] = [
      [
        { listId: list.id, contacts: [{ email: 'a@x.co' }, { email: 'b@x.co' }, { email: 'nope' }] },
        'contacts.2.email',
      ],
      [{ listId: list.id, contacts: [{ email: 'a@x.co', timezone: 'Mars/Olympus' }] }, 'contacts.0.timezone'],
      [{ listId: list.id, contacts: [] }, 'contacts'],
      [{ listId: 'not-a-uuid', contacts: [{ email: 'a@x.co' }] }, 'listId'],
      [
        { listId: list.id, contacts: Array.from({ length: 5001 }, (_, i) => ({ email: `u${i}@x.co` })) },
        'contacts',
      ],
    ];
    for (const [i, field] of cases) {
      const e = await asAlice.error(ADD, { i });
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    // attributes must be a JSON object (checked by the scalar while the document is validated).
    const array = await asAlice.error(
      `mutation { addContacts(input: { listId: "${list.id}", contacts: [{ email: "a@x.co", attributes: [1] }] }) { added } }`,
    );
    expect(array).toMatchObject({
      message: expect.stringMatching(/JSONObject must be a JSON object/),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const { contacts } = await asAlice.ok(CONTACTS, { listId: list.id });
    expect(contacts.totalCount).toBe(0);
  });

  it('imports a CSV and reports accepted, duplicate and rejected rows', async () => {
    const list = await newList('CSV');
    const csv = [
      'Email,First Name,last_name,Company,timezone,Plan',
      'zed@example.com,Zed,Z,Zeta,Europe/Paris,gold',
      'not-an-email,X,,,,',
      'ZED@example.com,Zed again,,,,',
      'yan@example.com,Yan,,,Mars/Olympus,',
      '',
      'xia@example.com,Xia,,,,silver',
    ].join('\r\n');
    const { importContacts } = await asAlice.ok(IMPORT, { i: { listId: list.id, csv } });
    expect(importContacts).toMatchObject({
      accepted: 2,
      duplicates: 1,
      rejected: 2,
      created: 2,
      updated: 0,
      added: 2,
      alreadyInList: 0,
      list: { contactCount: 2 },
    });
    expect(importContacts.rows).toEqual([
      { line: 2, email: 'zed@example.com', status: 'ACCEPTED', reason: null },
      { line: 3, email: 'not-an-email', status: 'REJECTED', reason: 'Invalid email address' },
      { line: 4, email: 'zed@example.com', status: 'DUPLICATE', reason: 'Same email earlier in the file' },
      { line: 5, email: 'yan@example.com', status: 'REJECTED', reason: 'Unknown time zone "Mars/Olympus"' },
      { line: 7, email: 'xia@example.com', status: 'ACCEPTED', reason: null },
    ]);
    const { contacts } = await asAlice.ok(CONTACTS, { listId: list.id, search: 'zed' });
    expect(contacts.edges[0].node).toMatchObject({
      firstName: 'Zed',
      lastName: 'Z',
      company: 'Zeta',
      timezone: 'Europe/Paris',
      attributes: { Plan: 'gold' },
    });
    const noEmail = await asAlice.error(IMPORT, { i: { listId: list.id, csv: 'name\nAda\n' } });
    expect(noEmail.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'csv' });
    const tooBig = await asAlice.error(IMPORT, {
      i: { listId: list.id, csv: 'email\n' + 'a'.repeat(2 * 1024 * 1024 + 1) },
    });
    expect(tooBig.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'csv' });
  });

  it('imports 10,000 rows, refreshes the planner statistics after it, and re-importing updates instead of duplicating', async () => {
    const list = await newList('Big import');
    const csv =
      'email,first_name,score\n' +
      Array.from({ length: 10_000 }, (_, i) => `bulk${i}@example.com,Bulk ${i},${i}`).join('\n');
    // Explicit ANALYZEs only (autovacuum's own are counted apart), so the engine's refresh is seen.
    const analyses = async () =>
      Number(
        (
          await t.prisma.db.$queryRaw<{ n: bigint }[]>`
            SELECT analyze_count AS n FROM pg_stat_user_tables WHERE relname = 'ContactListMember'`
        )[0].n,
      );
    const before = await analyses();
    const { importContacts } = await asAlice.ok(IMPORT, { i: { listId: list.id, csv } });
    expect(importContacts).toMatchObject({ accepted: 10_000, created: 10_000, added: 10_000 });
    await waitFor(analyses, (n) => n > before);
    const again = await asAlice.ok(IMPORT, { i: { listId: list.id, csv } });
    expect(again.importContacts).toMatchObject({
      created: 0,
      updated: 10_000,
      added: 0,
      alreadyInList: 10_000,
    });
    expect(
      await t.prisma.db.contact.count({
        where: { organizationId: alice.org, email: { startsWith: 'bulk' } },
      }),
    ).toBe(10_000);
  });

  it('pages through 120 contacts, 50 at a time, without gaps or repeats', async () => {
    const list = await newList('Paged');
    await asAlice.ok(ADD, {
      i: {
        listId: list.id,
        contacts: Array.from({ length: 120 }, (_, i) => ({ email: `page${i}@example.com` })),
      },
    });
    const seen: string[] = [];
    const pages: { count: number; hasNextPage: boolean; totalCount: number }[] = [];
    let after: string | undefined;
    for (;;) {
      const { contacts } = await asAlice.ok(CONTACTS, { listId: list.id, first: 50, after });
      seen.push(...contacts.edges.map((e: { node: { email: string } }) => e.node.email));
      pages.push({
        count: contacts.edges.length,
        hasNextPage: contacts.pageInfo.hasNextPage,
        totalCount: contacts.totalCount,
      });
      if (!contacts.pageInfo.hasNextPage) break;
      after = contacts.pageInfo.endCursor;
    }
    expect(pages).toEqual([
      { count: 50, hasNextPage: true, totalCount: 120 },
      { count: 50, hasNextPage: true, totalCount: 120 },
      { count: 20, hasNextPage: false, totalCount: 120 },
    ]);
    expect(new Set(seen).size).toBe(120);
    const capped = await asAlice.ok(`{ contacts(first: 1000) { edges { cursor } } }`);
    expect(capped.contacts.edges.length).toBeLessThanOrEqual(200);
    const badCursor = await asAlice.error(CONTACTS, { after: 'not-a-cursor' });
    expect(badCursor.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('adds, lists and removes suppressions', async () => {
    const add = `mutation($i: AddSuppressionInput!) { addSuppression(input: $i) { id email reason note } }`;
    const first = await asAlice.ok(add, { i: { email: ' Gone@Example.com ', note: 'asked by phone' } });
    expect(first.addSuppression).toMatchObject({
      email: 'gone@example.com',
      reason: 'MANUAL',
      note: 'asked by phone',
    });
    const again = await asAlice.ok(add, { i: { email: 'gone@example.com', reason: 'UNSUBSCRIBED' } });
    expect(again.addSuppression).toEqual({ ...first.addSuppression, reason: 'UNSUBSCRIBED' });
    await asAlice.ok(add, { i: { email: 'bounced@example.com', reason: 'BOUNCED' } });
    const bad = await asAlice.error(add, { i: { email: 'nope' } });
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });

    const page1 = await asAlice.ok(SUPPRESSIONS, { first: 1 });
    expect(page1.suppressions.totalCount).toBe(2);
    expect(page1.suppressions.pageInfo.hasNextPage).toBe(true);
    const page2 = await asAlice.ok(SUPPRESSIONS, { first: 1, after: page1.suppressions.pageInfo.endCursor });
    expect(page2.suppressions.pageInfo.hasNextPage).toBe(false);
    expect(
      [...page1.suppressions.edges, ...page2.suppressions.edges]
        .map((e: { node: { email: string } }) => e.node.email)
        .sort(),
    ).toEqual(['bounced@example.com', 'gone@example.com']);

    const remove = `mutation($e: String!) { removeSuppression(email: $e) }`;
    expect((await asAlice.ok(remove, { e: 'GONE@example.com' })).removeSuppression).toBe(true);
    expect((await asAlice.error(remove, { e: 'gone@example.com' })).extensions?.code).toBe('NOT_FOUND');
    expect((await asAlice.ok(SUPPRESSIONS)).suppressions.totalCount).toBe(1);
  });

  it('keeps organizations apart: lists, contacts and suppressions', async () => {
    const list = await newList('Private');
    await asAlice.ok(ADD, {
      i: { listId: list.id, contacts: [{ email: 'secret@example.com', firstName: 'S' }] },
    });
    await asAlice.ok(`mutation { addSuppression(input: { email: "private@example.com" }) { id } }`);

    // Bob in his own organization sees none of it and cannot touch it.
    const { contactLists } = await asBob.ok(`{ contactLists { id } }`);
    expect(contactLists.map((l: { id: string }) => l.id)).not.toContain(list.id);
    expect((await asBob.ok(CONTACTS, { search: 'secret' })).contacts.totalCount).toBe(0);
    expect((await asBob.error(CONTACTS, { listId: list.id })).extensions?.code).toBe('NOT_FOUND');
    const steal = await asBob.error(ADD, {
      i: {
        listId: list.id,
        contacts: [{ email: 'secret@example.com', firstName: 'Pwned' }, { email: 'new@example.com' }],
      },
    });
    expect(steal.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'listId' });
    const stealCsv = await asBob.error(IMPORT, { i: { listId: list.id, csv: 'email\nnew@example.com\n' } });
    expect(stealCsv.extensions?.code).toBe('NOT_FOUND');
    expect((await asBob.ok(SUPPRESSIONS)).suppressions.totalCount).toBe(0);
    const unsuppress = await asBob.error(`mutation { removeSuppression(email: "private@example.com") }`);
    expect(unsuppress.extensions?.code).toBe('NOT_FOUND');

    // Bob naming Alice's organization is refused outright.
    const asBobInAlice = api.as({ token: bob.token, org: alice.org });
    for (const [query, variables] of [
      [`{ contactLists { id } }`, {}],
      [CONTACTS, {}],
      [SUPPRESSIONS, {}],
      [ADD, { i: { listId: list.id, contacts: [{ email: 'new@example.com' }] } }],
      [CREATE_LIST, { i: { name: 'Intruder' } }],
      [`mutation { removeSuppression(email: "private@example.com") }`, {}],
    ] as const) {
      expect((await asBobInAlice.error(query, variables)).extensions?.code).toBe('FORBIDDEN');
    }

    // Nothing of Alice's changed.
    const { contacts } = await asAlice.ok(CONTACTS, { listId: list.id });
    expect(contacts.totalCount).toBe(1);
    expect(contacts.edges[0].node).toMatchObject({ email: 'secret@example.com', firstName: 'S' });
    expect(await t.prisma.db.contact.count({ where: { email: 'new@example.com' } })).toBe(0);
    expect(
      (await asAlice.ok(`{ contactLists { name } }`)).contactLists.map((l: { name: string }) => l.name),
    ).not.toContain('Intruder');
    expect(
      (await asAlice.ok(SUPPRESSIONS)).suppressions.edges.map(
        (e: { node: { email: string } }) => e.node.email,
      ),
    ).toContain('private@example.com');
  });

  it('lets a VIEWER read but not change', async () => {
    const viewer = await signUpWithOrg(api, 'viewer');
    await t.prisma.db.membership.create({
      data: { userId: viewer.userId, organizationId: alice.org, role: 'VIEWER' },
    });
    const asViewer = api.as({ token: viewer.token, org: alice.org });
    expect((await asViewer.ok(`{ contactLists { id } }`)).contactLists.length).toBeGreaterThan(0);
    expect((await asViewer.error(CREATE_LIST, { i: { name: 'Viewer list' } })).extensions?.code).toBe(
      'FORBIDDEN',
    );
  });
});
