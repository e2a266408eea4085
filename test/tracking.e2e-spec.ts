import { signUpWithOrg } from './factories/accounts.js';
import {
  CREATE_CAMPAIGN,
  campaignInput,
  listWithContacts,
  sandboxMailbox,
  waitFor,
} from './factories/campaigns.js';
import { GraphQLClient } from './support/graphql-client.js';
import { ManualClock } from './support/manual-clock.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';
const STATS = `query($id: ID!) { campaignProgress(campaignId: $id) {
  stats { opened openedByMachines clicked clickedByMachines unsubscribed } } }`;

/** The quoted-printable HTML of a stored message, unfolded back to what a mail client shows. */
const unfold = (raw: string) =>
  raw
    .replace(/=\r?\n/g, '')
    .replace(/=3D/g, '=')
    .replace(/\r?\n\s+/g, ' ');

/** What a recipient does with a sent message: open it, click a link, unsubscribe in one click (RFC 8058). */
describe('open and click tracking, machine traffic and unsubscribe', () => {
  let t: TestApp;
  const clock = new ManualClock(new Date(), { running: true });
  beforeAll(async () => (t = await startTestApp({ runnerTickMs: 200 }, 'all', { clock })));
  afterAll(() => t.close());

  async function sentCampaign(label: string, extra: Record<string, unknown> = {}) {
    const api = new GraphQLClient(t.url);
    const owner = await signUpWithOrg(api, label);
    const me = api.as({ token: owner.token, org: owner.org });
    const mb = await sandboxMailbox(me, label);
    const listId = await listWithContacts(me, 2, label);
    const campaign = (await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mb.id], [listId], extra) }))
      .createCampaign;
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, { id: campaign.id });
    await waitFor(
      () => t.prisma.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } }),
      (c) => c.status === 'COMPLETED',
    );
    const stats = async () => (await me.ok(STATS, { id: campaign.id })).campaignProgress.stats;
    return { me, owner, mb, listId, campaign, stats };
  }

  it('counts a person opening, keeps machine opens apart, suppresses a one-click unsubscribe and skips the address next time', async () => {
    const { me, owner, mb, listId, stats } = await sentCampaign('tracker');
    const message = await t.prisma.db.sandboxMessage.findFirstOrThrow({
      where: { toAddress: 'tracker0@example.com' },
    });
    const unfolded = unfold(message.raw);
    const pixel = /<img src="([^"]+\/t\/o\/[^"]+\.gif)"/.exec(unfolded)![1];
    const unsubscribe = /List-Unsubscribe: <([^>]+)>/.exec(unfolded)![1];

    // Looking at the message in the sandbox inbox is not an open: the page leaves the pixel out.
    const { sandboxInboxUrl } = await me.ok(`{ sandboxInboxUrl }`);
    const view = new URL(sandboxInboxUrl);
    view.pathname += `/${message.id}`;
    const page = await (await fetch(view)).text();
    expect(page).toContain('tracker0@example.com');
    expect(page).not.toContain('/t/o/');
    expect(await stats()).toMatchObject({ opened: 0, openedByMachines: 0 });

    // Apple Mail Privacy Protection fetches every image on delivery: a machine, not a reader.
    const proxied = await fetch(pixel, { headers: { 'user-agent': 'Mozilla/5.0' } });
    expect(proxied.headers.get('content-type')).toBe('image/gif');
    expect(await stats()).toMatchObject({ opened: 0, openedByMachines: 1 });
    await fetch(pixel, { headers: { 'user-agent': FIREFOX } });
    await fetch(pixel, { headers: { 'user-agent': FIREFOX } }); // a second open is not a second opener
    expect(await stats()).toMatchObject({ opened: 1, openedByMachines: 1 });
    const hits = await t.prisma.db.event.findMany({
      where: { type: 'recipient.opened', organizationId: owner.org },
    });
    expect(hits.map((h) => (h.data as { reason: string }).reason).sort()).toEqual([
      'Apple Mail Privacy Protection',
      'person',
      'person',
    ]);

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
      { email: 'tracker0@example.com', reason: 'UNSUBSCRIBED' },
    ]);
    expect(await stats()).toMatchObject({ unsubscribed: 1 });

    const forged = unsubscribe.replace(/\.[^./]+$/, '.forged-signature-forged-signature');
    expect((await fetch(forged, { method: 'POST' })).status).toBe(404);

    const second = (await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mb.id], [listId], { name: 'Again' }) }))
      .createCampaign;
    const { sendCampaign } = await me.ok(
      `mutation($id: ID!) { sendCampaign(id: $id) { totalRecipients skippedRecipients } }`,
      { id: second.id },
    );
    expect(sendCampaign).toEqual({ totalRecipients: 2, skippedRecipients: 1 });
    await waitFor(
      () => t.prisma.db.campaign.findUniqueOrThrow({ where: { id: second.id } }),
      (c) => c.status === 'COMPLETED',
    );
    expect(await t.prisma.db.sandboxMessage.count({ where: { toAddress: 'tracker0@example.com' } })).toBe(1);
  });

  it('redirects a click only to the stored link, tells scanners and honeypot hits from people, and 404s a tampered token', async () => {
    const target = 'https://example.org/pricing?plan=pro&ref=mail';
    const { campaign, stats } = await sentCampaign('clicker', {
      trackClicks: true,
      htmlBody: `<p>Hi {{ contact.firstName | default: "there" }}, see <a href="${target.replace('&', '&amp;')}">our prices</a>.</p>`,
    });
    const message = await t.prisma.db.sandboxMessage.findFirstOrThrow({
      where: { toAddress: 'clicker0@example.com' },
    });
    const html = unfold(message.raw);
    const links = [...html.matchAll(/href="([^"]+\/t\/c\/[^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    expect(links).toHaveLength(2); // the visible link and the invisible honeypot
    expect(html).not.toContain('href="https://example.org');
    const [tracked, honeypot] = links;
    // The plain-text part keeps the readable link.
    expect(message.raw).toContain(`our prices [${target}]`);

    // A link scanner follows it within seconds of delivery: a machine click, still redirected.
    const scanned = await fetch(tracked, { redirect: 'manual', headers: { 'user-agent': FIREFOX } });
    expect(scanned.status).toBe(302);
    expect(scanned.headers.get('location')).toBe(target);
    expect(await stats()).toMatchObject({ clicked: 0, clickedByMachines: 1 });

    // The invisible link: only machines follow it; nothing to redirect to.
    const trap = await fetch(honeypot, { redirect: 'manual', headers: { 'user-agent': FIREFOX } });
    expect(trap.status).toBe(200);
    expect(trap.headers.get('location')).toBeNull();

    // A minute later, the reader clicks: a person, redirected to the stored URL.
    clock.advance(60_000);
    const clicked = await fetch(tracked, { redirect: 'manual', headers: { 'user-agent': FIREFOX } });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe(target);
    expect(await stats()).toMatchObject({ clicked: 1, clickedByMachines: 1 });

    // Tampered or forged tokens never redirect anywhere.
    const [prefix, token] = tracked.split('/t/c/');
    const [msg, link, sig] = token.split('.');
    const otherMessage = await t.prisma.db.outboundMessage.findFirstOrThrow({
      where: { groupId: campaign.id, email: 'clicker1@example.com' },
    });
    for (const bad of [
      `${msg}.${link}.${'A'.repeat(sig.length)}`,
      `${otherMessage.id}.${link}.${sig}`,
      `${msg}.${otherMessage.id}.${sig}`,
      'not-a-token',
    ]) {
      const res = await fetch(`${prefix}/t/c/${bad}`, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect(res.headers.get('location')).toBeNull();
    }
    const kinds = await t.prisma.db.event.findMany({
      where: { type: 'recipient.clicked', campaignId: campaign.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(kinds.map((k) => (k.data as { machine: boolean }).machine)).toEqual([true, true, false]);
  });
});
