import { signUpWithOrg } from './factories/accounts.js';
import {
  CREATE_CAMPAIGN,
  campaignInput,
  listWithContacts,
  sandboxMailbox,
  waitFor,
} from './factories/campaigns.js';
import { GraphQLClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** What a recipient does with a sent message: open it, unsubscribe in one click (RFC 8058). */
describe('open tracking and unsubscribe', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ runnerTickMs: 200 })));
  afterAll(() => t.close());

  it('counts an open, suppresses a one-click unsubscribe, and skips the address next time', async () => {
    const api = new GraphQLClient(t.url);
    const owner = await signUpWithOrg(api, 'tracker');
    const me = api.as({ token: owner.token, org: owner.org });
    const mb = await sandboxMailbox(me, 'track');
    const listId = await listWithContacts(me, 2, 'trk');
    const first = (await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mb.id], [listId]) })).createCampaign;
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, { id: first.id });
    await waitFor(
      () => t.prisma.db.campaign.findUniqueOrThrow({ where: { id: first.id } }),
      (c) => c.status === 'COMPLETED',
    );

    const message = await t.prisma.db.sandboxMessage.findFirstOrThrow({
      where: { toAddress: 'trk0@example.com' },
    });
    const unfolded = message.raw
      .replace(/=\r?\n/g, '')
      .replace(/=3D/g, '=')
      .replace(/\r?\n\s+/g, ' ');
    const pixel = /<img src="([^"]+\/t\/o\/[^"]+\.gif)"/.exec(unfolded)![1];
    const unsubscribe = /List-Unsubscribe: <([^>]+)>/.exec(unfolded)![1];

    // Looking at the message in the sandbox inbox is not an open: the page leaves the pixel out.
    const { sandboxInboxUrl } = await me.ok(`{ sandboxInboxUrl }`);
    const view = new URL(sandboxInboxUrl);
    view.pathname += `/${message.id}`;
    const page = await (await fetch(view)).text();
    expect(page).toContain('trk0@example.com');
    expect(page).not.toContain('/t/o/');
    expect(
      (
        await me.ok(`query($id: ID!) { campaignProgress(campaignId: $id) { stats { opened } } }`, {
          id: first.id,
        })
      ).campaignProgress.stats.opened,
    ).toBe(0);

    const img = await fetch(pixel);
    expect(img.headers.get('content-type')).toBe('image/gif');
    await fetch(pixel); // a second open is not a second opener
    const { campaignProgress } = await me.ok(
      `query($id: ID!) { campaignProgress(campaignId: $id) { stats { opened } } }`,
      {
        id: first.id,
      },
    );
    expect(campaignProgress.stats.opened).toBe(1);

    expect((await fetch(unsubscribe)).status).toBe(200); // the confirmation page
    expect(await t.prisma.db.suppression.count({ where: { organizationId: owner.org } })).toBe(0);
    const oneClick = await fetch(unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    const { suppressions } = await me.ok(`{ suppressions { edges { node { email reason } } } }`);
    expect(suppressions.edges.map((e: any) => e.node)).toEqual([
      { email: 'trk0@example.com', reason: 'UNSUBSCRIBED' },
    ]);

    const forged = unsubscribe.replace(/\.[^./]+$/, '.forged-signature-forged-signature');
    expect((await fetch(forged, { method: 'POST' })).status).toBe(404);

    const second = (await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mb.id], [listId], { name: 'Again' }) }))
      .createCampaign;
    const { sendCampaign } = await me.ok(
      `mutation($id: ID!) { sendCampaign(id: $id) { totalRecipients skippedRecipients } }`,
      {
        id: second.id,
      },
    );
    expect(sendCampaign).toEqual({ totalRecipients: 2, skippedRecipients: 1 });
    await waitFor(
      () => t.prisma.db.campaign.findUniqueOrThrow({ where: { id: second.id } }),
      (c) => c.status === 'COMPLETED',
    );
    expect(await t.prisma.db.sandboxMessage.count({ where: { toAddress: 'trk0@example.com' } })).toBe(1);
  });
});
