import { readFileSync } from 'node:fs';
import { signUpWithOrg, type Account } from './factories/accounts.js';
import { CREATE_CAMPAIGN, campaignInput, listWithContacts, sandboxMailbox } from './factories/campaigns.js';
import { GraphQLClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 6, point 1: templates are pure and bounded. Each test is the attack that worked before:
 * a subject of `{% include 'package.json' %}` came back rendered in sendTestEmail's answer.
 */
describe('templates cannot read files and cannot exhaust the engine', () => {
  let t: TestApp;
  let api: GraphQLClient;
  let owner: Account;
  let me: GraphQLClient;
  let mailboxId: string;
  let listId: string;
  // A line of package.json that would show if the file were read.
  const packageName = JSON.parse(readFileSync('package.json', 'utf8')).description as string;

  const UPDATE = `mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { id subject htmlBody } }`;
  const TEST_EMAIL = `mutation($id: ID!, $c: ID) { sendTestEmail(id: $id, to: "qa@example.com", contactId: $c) { subject } }`;
  const campaignCount = () => t.prisma.db.campaign.count({ where: { organizationId: owner.org } });
  const sentCount = () => t.prisma.db.sandboxMessage.count({ where: { organizationId: owner.org } });

  beforeAll(async () => {
    t = await startTestApp();
    api = new GraphQLClient(t.url);
    owner = await signUpWithOrg(api, 'templates');
    me = api.as({ token: owner.token, org: owner.org });
    mailboxId = (await sandboxMailbox(me, 'templates')).id;
    listId = await listWithContacts(me, 2);
  });
  afterAll(() => t.close());

  it.each([
    ['subject', 'include'],
    ['htmlBody', 'render'],
    ['textBody', 'layout'],
  ])('refuses %s with the %s tag when a campaign is created, and stores nothing', async (field, tag) => {
    const before = await campaignCount();
    const e = await me.error(CREATE_CAMPAIGN, {
      i: campaignInput([mailboxId], [listId], { [field]: `Hi {% ${tag} 'package.json' %}` }),
    });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, tag });
    expect(e.message).toContain(`${tag} tag is not allowed`);
    expect(e.message).not.toContain(packageName);
    expect(await campaignCount()).toBe(before);
  });

  it('refuses the include tag in updateCampaign and leaves the campaign as it was', async () => {
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mailboxId], [listId]) });
    const e = await me.error(UPDATE, {
      id: createCampaign.id,
      i: { subject: "{% include '.data/secrets.json' %}" },
    });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subject', tag: 'include' });
    const { campaign } = await me.ok(`query($id: ID!) { campaign(id: $id) { subject } }`, {
      id: createCampaign.id,
    });
    expect(campaign.subject).toBe(campaignInput([], []).subject);
  });

  it('never renders a file through sendTestEmail, even for a template stored before the check', async () => {
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mailboxId], [listId]) });
    // As if saved by an older version: written straight to the database.
    await t.prisma.db.campaign.update({
      where: { id: createCampaign.id },
      data: { subject: "{% include 'package.json' %}" },
    });
    const res = await me.request(TEST_EMAIL, { id: createCampaign.id });
    expect(JSON.stringify(res)).not.toContain(packageName);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', tag: 'include' });
    expect(res.errors?.[0].message).toMatch(/include tag is not allowed/);
    expect(await sentCount()).toBe(0);
  });

  it('refuses a nested loop of 2,000 × 2,000 iterations when saved', async () => {
    const e = await me.error(CREATE_CAMPAIGN, {
      i: campaignInput([mailboxId], [listId], {
        htmlBody: '{% for i in (1..2000) %}{% for j in (1..2000) %}x{% endfor %}{% endfor %}',
      }),
    });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'htmlBody', limit: 'work' });
    expect(e.message).toMatch(/htmlBody: Template refused: the template does too much work/);
  });

  it('refuses a string doubled twenty times when saved', async () => {
    const doubling = '{% assign s = s | append: s %}'.repeat(20);
    const e = await me.error(CREATE_CAMPAIGN, {
      i: campaignInput([mailboxId], [listId], { htmlBody: `{% assign s = "xx" %}${doubling}{{ s }}` }),
    });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'htmlBody', limit: 'memory' });
    expect(e.message).toMatch(/builds too much data/);
  });

  it("stops at send time a template that only a contact's data makes too expensive", async () => {
    const doubling = '{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}';
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
      i: campaignInput([mailboxId], [listId], {
        htmlBody: `{% assign s = contact.attributes.seed | default: "" %}${doubling}<p>{{ s | size }}</p>`,
      }),
    });
    await me.ok(`mutation($i: AddContactsInput!) { addContacts(input: $i) { added } }`, {
      i: { listId, contacts: [{ email: 'greedy@example.com', attributes: { seed: 'xx' } }] },
    });
    const greedy = await t.prisma.db.contact.findFirstOrThrow({ where: { email: 'greedy@example.com' } });
    const res = await me.request(TEST_EMAIL, { id: createCampaign.id, c: greedy.id });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'memory' });
    expect(res.errors?.[0].message).toMatch(/The content cannot be rendered: .*builds too much data/);
    expect(await sentCount()).toBe(0);
    // The same campaign still renders for an ordinary contact (the sample one).
    const ok = await me.ok(TEST_EMAIL, { id: createCampaign.id });
    expect(ok.sendTestEmail.subject).toBe('[Test] Hello Ada');
  });
});
