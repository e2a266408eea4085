import { signUpWithOrg, type Account } from './factories/accounts.js';
import { CREATE_CAMPAIGN, campaignInput, listWithContacts, sandboxMailbox } from './factories/campaigns.js';
import { GraphQLClient, subscribe } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ORG_UPDATES = `subscription { organizationUpdated { name } }`;
const REMOVE = `mutation($u: ID!) { removeMember(userId: $u) { userId role } }`;
const SET_ROLE = `mutation($u: ID!, $r: Role!) { updateMemberRole(userId: $u, role: $r) { userId role } }`;

/**
 * Issue 6, point 7: access is re-checked while subscribed. Before, a subscription kept streaming
 * an organization's data to someone whose membership had been removed, for as long as the socket
 * stayed open.
 */
describe('subscriptions end when access ends', () => {
  let t: TestApp;
  let api: GraphQLClient;
  let owner: Account;
  let asOwner: GraphQLClient;
  let n = 0;

  /** A fresh user, added to the owner's organization with `role` (there is no invitation flow yet). */
  async function member(label: string, role: 'ADMIN' | 'MEMBER' | 'VIEWER') {
    const account = await signUpWithOrg(api, label);
    await t.prisma.db.membership.create({
      data: { userId: account.userId, organizationId: owner.org, role },
    });
    return { ...account, client: api.as({ token: account.token, org: owner.org }) };
  }

  /** Renames the organization until `sub` has seen one more event (the subscription is then live). */
  async function untilDelivered(sub: ReturnType<typeof subscribe>) {
    const seen = sub.events.length;
    for (let i = 0; i < 100 && sub.events.length === seen && !sub.error; i++) {
      await asOwner.ok(`mutation($n: String) { updateOrganization(input: { name: $n }) { id } }`, {
        n: `org ${++n}`,
      });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sub.events.length).toBeGreaterThan(seen);
  }

  beforeAll(async () => {
    t = await startTestApp({ subscriptionRecheckMs: 500 });
    api = new GraphQLClient(t.url);
    owner = await signUpWithOrg(api, 'owner');
    asOwner = api.as({ token: owner.token, org: owner.org });
  });
  afterAll(() => t.close());

  it('ends every subscription of a member whose membership is removed, and sends nothing after', async () => {
    const bob = await member('bob', 'MEMBER');
    const mailbox = await sandboxMailbox(asOwner, 'subs');
    const list = await listWithContacts(asOwner, 1);
    const { createCampaign } = await asOwner.ok(CREATE_CAMPAIGN, { i: campaignInput([mailbox.id], [list]) });
    const ws = api.ws({ token: bob.token, org: owner.org });
    const org = subscribe(ws, ORG_UPDATES);
    const progress = subscribe(
      ws,
      `subscription($c: ID!) { campaignProgress(campaignId: $c) { stats { total } } }`,
      {
        c: createCampaign.id,
      },
    );
    try {
      await untilDelivered(org);
      await progress.waitFor((events) => events.length > 0); // the current snapshot comes first
      const { removeMember } = await asOwner.ok(REMOVE, { u: bob.userId });
      expect(removeMember).toEqual({ userId: bob.userId, role: 'MEMBER' });
      await expect(org.waitFor(() => false, 10000)).rejects.toThrow(/FORBIDDEN.*|no longer a member/);
      await expect(progress.waitFor(() => false, 10000)).rejects.toThrow(/no longer a member/);
      const seen = org.events.length;
      await asOwner.ok(`mutation { updateOrganization(input: { name: "after removal" }) { id } }`);
      await new Promise((r) => setTimeout(r, 500));
      expect(org.events.length).toBe(seen);
      // And a new subscription is refused from the start.
      const again = subscribe(ws, ORG_UPDATES);
      await expect(again.waitFor(() => false, 5000)).rejects.toThrow(/FORBIDDEN/);
    } finally {
      org.dispose();
      progress.dispose();
      await ws.dispose();
    }
  });

  it('re-checks on a role change and keeps a subscription the new role still allows', async () => {
    const carol = await member('carol', 'MEMBER');
    const ws = api.ws({ token: carol.token, org: owner.org });
    const sub = subscribe(ws, ORG_UPDATES);
    try {
      await untilDelivered(sub);
      const { updateMemberRole } = await asOwner.ok(SET_ROLE, { u: carol.userId, r: 'VIEWER' });
      expect(updateMemberRole).toEqual({ userId: carol.userId, role: 'VIEWER' });
      await untilDelivered(sub); // a VIEWER may still watch the organization
      expect(sub.error).toBeUndefined();
    } finally {
      sub.dispose();
      await ws.dispose();
    }
  });

  it('ends the subscription of a user whose account is deleted', async () => {
    const dave = await member('dave', 'VIEWER');
    const ws = api.ws({ token: dave.token, org: owner.org });
    const sub = subscribe(ws, ORG_UPDATES);
    try {
      await untilDelivered(sub);
      await t.prisma.db.user.delete({ where: { id: dave.userId } }); // outside the API: the periodic re-check finds it
      await expect(sub.waitFor(() => false, 10000)).rejects.toThrow(/UNAUTHENTICATED|no longer exists/);
    } finally {
      sub.dispose();
      await ws.dispose();
    }
  });

  it('lets only managers change memberships, within their own rank, keeping an owner', async () => {
    const admin = await member('admin', 'ADMIN');
    const erin = await member('erin', 'MEMBER');
    const code = async (client: GraphQLClient, query: string, variables: Record<string, unknown>) =>
      (await client.error(query, variables)).extensions?.code;
    expect(await code(erin.client, REMOVE, { u: admin.userId })).toBe('FORBIDDEN'); // a MEMBER manages nobody
    expect(await code(admin.client, REMOVE, { u: owner.userId })).toBe('FORBIDDEN'); // above the ADMIN
    expect(await code(admin.client, SET_ROLE, { u: erin.userId, r: 'OWNER' })).toBe('FORBIDDEN');
    expect(await code(asOwner, SET_ROLE, { u: owner.userId, r: 'ADMIN' })).toBe('CONFLICT'); // the last OWNER
    expect(await code(asOwner, REMOVE, { u: owner.userId })).toBe('CONFLICT');
    expect(await code(asOwner, REMOVE, { u: '00000000-0000-4000-8000-000000000000' })).toBe('NOT_FOUND');
    const outsider = await signUpWithOrg(api, 'outsider');
    expect(await code(asOwner, REMOVE, { u: outsider.userId })).toBe('NOT_FOUND');
    expect((await admin.client.ok(SET_ROLE, { u: erin.userId, r: 'ADMIN' })).updateMemberRole.role).toBe(
      'ADMIN',
    );
    const { members } = await erin.client.ok(`{ members { userId role } }`);
    expect(members).toContainEqual({ userId: owner.userId, role: 'OWNER' });
    expect(members).toContainEqual({ userId: erin.userId, role: 'ADMIN' });
  });
});
