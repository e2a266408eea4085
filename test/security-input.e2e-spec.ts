import { signUpWithOrg, type Account } from './factories/accounts.js';
import { CREATE_CAMPAIGN, campaignInput, listWithContacts, sandboxMailbox } from './factories/campaigns.js';
import { GraphQLClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ADD = `mutation($i: AddContactsInput!) { addContacts(input: $i) { added } }`;
const nested = (levels: number) => '{"a":'.repeat(levels - 1) + '{"a":1' + '}'.repeat(levels);

/**
 * Issue 6, point 6: every bad input is BAD_USER_INPUT naming the field, and changes nothing.
 * Before, `+099999-…` was stored as a start time, deep attributes answered INTERNAL_SERVER_ERROR
 * (a stack overflow in the server) and display names could carry line breaks into mail headers.
 */
describe('bad input is refused with its field and changes nothing', () => {
  let t: TestApp;
  let api: GraphQLClient;
  let owner: Account;
  let me: GraphQLClient;
  let mailboxId: string;
  let listId: string;

  const counts = async () => ({
    campaigns: await t.prisma.db.campaign.count({ where: { organizationId: owner.org } }),
    contacts: await t.prisma.db.contact.count({ where: { organizationId: owner.org } }),
    mailboxes: await t.prisma.db.senderAccount.count({ where: { organizationId: owner.org } }),
    lists: await t.prisma.db.contactList.count({ where: { organizationId: owner.org } }),
    organizations: await t.prisma.db.organization.count(),
    users: await t.prisma.db.user.count(),
  });

  /** Raw JSON, for values JSON.stringify itself could not build (100,000 levels deep). */
  async function rawRequest(body: string) {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${owner.token}`,
        'x-organization-id': owner.org,
      },
      body,
    });
    return (await res.json()) as { errors?: { message: string; extensions: Record<string, unknown> }[] };
  }

  beforeAll(async () => {
    t = await startTestApp();
    api = new GraphQLClient(t.url);
    owner = await signUpWithOrg(api, 'input');
    me = api.as({ token: owner.token, org: owner.org });
    mailboxId = (await sandboxMailbox(me, 'input')).id;
    listId = await listWithContacts(me, 1);
  });
  afterAll(() => t.close());

  const BAD_DATES = [
    'soon',
    '99999-01-01T00:00:00Z',
    '+099999-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '2031-02-30T09:00:00Z',
    '2031-01-01',
  ];

  it.each(BAD_DATES)(
    'refuses scheduledAt %j in createCampaign, updateCampaign and scheduleCampaign',
    async (when) => {
      const before = await counts();
      const created = await me.error(CREATE_CAMPAIGN, {
        i: campaignInput([mailboxId], [listId], { scheduledAt: when }),
      });
      expect(created.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scheduledAt' });
      expect(created.message).toMatch(/ISO 8601 date-time/);
      const literal = await me.error(
        `mutation { createCampaign(input: { name: "x", subject: "s", htmlBody: "b", senderAccountIds: ["${mailboxId}"], listIds: ["${listId}"], scheduledAt: ${JSON.stringify(when)} }) { id } }`,
      );
      expect(literal.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scheduledAt' });
      expect(await counts()).toEqual(before);

      const { createCampaign } = await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mailboxId], [listId]) });
      const updated = await me.error(
        `mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { id } }`,
        { id: createCampaign.id, i: { scheduledAt: when } },
      );
      expect(updated.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scheduledAt' });
      const scheduled = await me.error(
        `mutation($id: ID!, $at: DateTime!) { scheduleCampaign(id: $id, scheduledAt: $at) { campaign { status } } }`,
        { id: createCampaign.id, at: when },
      );
      expect(scheduled.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scheduledAt' });
      const { campaign } = await me.ok(`query($id: ID!) { campaign(id: $id) { status scheduledAt } }`, {
        id: createCampaign.id,
      });
      expect(campaign).toEqual({ status: 'DRAFT', scheduledAt: null });
    },
  );

  it('still accepts a well-formed date with an offset', async () => {
    const { createCampaign } = await me.ok(
      `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { status scheduledAt } }`,
      { i: campaignInput([mailboxId], [listId], { scheduledAt: '2099-01-31T10:00:00+01:00' }) },
    );
    expect(createCampaign).toEqual({ status: 'SCHEDULED', scheduledAt: '2099-01-31T09:00:00.000Z' });
  });

  it.each([
    ['6 levels deep', JSON.parse(nested(6)), /nest deeper than 5 levels/],
    ['over 16 KB', { notes: 'x'.repeat(17 * 1024) }, /at most 16 KB/],
    ['with a __proto__ key', JSON.parse('{"__proto__": {"isAdmin": true}}'), /__proto__/],
  ])('refuses contact attributes %s in addContacts, adding nobody', async (_what, attributes, message) => {
    const before = await counts();
    const e = await me.error(ADD, {
      i: { listId, contacts: [{ email: 'fine@example.com' }, { email: 'bad@example.com', attributes }] },
    });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contacts.1.attributes' });
    expect(e.message).toMatch(message);
    expect(await counts()).toEqual(before);
  });

  it('refuses attributes nested 100,000 levels deep, sent as variables or as a literal', async () => {
    const before = await counts();
    const variables = await rawRequest(
      `{"query":${JSON.stringify(ADD)},"variables":{"i":{"listId":"${listId}","contacts":[{"email":"deep@example.com","attributes":${nested(100_000)}}]}}}`,
    );
    expect(variables.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'contacts.0.attributes',
    });
    // A literal deep enough to pass the document's nesting limit but not the attributes' limit.
    const literal = await me.error(
      `mutation { addContacts(input: { listId: "${listId}", contacts: [{ email: "deep@example.com", attributes: ${'{a: '.repeat(40)}1${'}'.repeat(40)} }] }) { added } }`,
    );
    expect(literal.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contacts.0.attributes' });
    expect(await counts()).toEqual(before);
  });

  it('applies the same attributes limit to a CSV import', async () => {
    const { importContacts } = await me.ok(
      `mutation($i: ImportContactsInput!) { importContacts(input: $i) { accepted rejected rows { line status reason } } }`,
      { i: { listId, csv: `email,notes\nbig@example.com,${'n'.repeat(17 * 1024)}\nok@example.com,fine\n` } },
    );
    expect(importContacts).toMatchObject({ accepted: 1, rejected: 1 });
    expect(importContacts.rows).toContainEqual({
      line: 2,
      status: 'REJECTED',
      reason: 'attributes must be at most 16 KB of JSON',
    });
    expect(await t.prisma.db.contact.count({ where: { email: 'big@example.com' } })).toBe(0);
  });

  it('refuses display names and names with line breaks', async () => {
    const before = await counts();
    const injected = 'Sales\r\nBcc: everyone@example.com';
    const cases: [GraphQLClient, string, Record<string, unknown>, string][] = [
      [
        me,
        `mutation($i: ConnectSenderAccountInput!) { connectSenderAccount(input: $i) { id } }`,
        { i: { provider: 'SANDBOX', email: 'multi@sandbox.example.com', displayName: injected } },
        'displayName',
      ],
      [
        api,
        `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }`,
        { i: { email: 'newline@example.com', password: 'correct-horse-battery', name: injected } },
        'name',
      ],
      [
        api.as({ token: owner.token }),
        `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
        { i: { name: 'Acme\nInc' } },
        'name',
      ],
      [
        me,
        `mutation($i: CreateContactListInput!) { createContactList(input: $i) { id } }`,
        { i: { name: 'a\u2028b' } },
        'name',
      ],
      [me, CREATE_CAMPAIGN, { i: campaignInput([mailboxId], [listId], { fromName: injected }) }, 'fromName'],
      [me, CREATE_CAMPAIGN, { i: campaignInput([mailboxId], [listId], { name: 'Launch\nNow' }) }, 'name'],
    ];
    for (const [client, query, variables, field] of cases) {
      const e = await client.error(query, variables);
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(e.message).toMatch(/must be one line/);
    }
    expect(await counts()).toEqual(before);
  });
});
