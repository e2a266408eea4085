import { EventEmitter2 } from '@nestjs/event-emitter';
import { CAMPAIGN_SENDING, type CampaignSendingEvent } from '../src/prisma/campaign-sending.extension.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { testConfig } from './support/test-app.js';

/** The campaign-status trigger against a real PostgreSQL, without the rest of the app. */
describe('campaign.sending trigger', () => {
  let prisma: PrismaService;
  let events: CampaignSendingEvent[];
  let organizationId: string;

  beforeAll(async () => {
    const emitter = new EventEmitter2();
    events = [];
    emitter.on(CAMPAIGN_SENDING, (e: CampaignSendingEvent) => events.push(e));
    prisma = new PrismaService(await testConfig(), emitter);
    organizationId = (await prisma.db.organization.create({ data: { name: 'Trigger Org' } })).id;
  });
  afterAll(() => prisma.onApplicationShutdown());
  beforeEach(() => (events.length = 0));

  const draft = () =>
    prisma.db.campaign.create({ data: { organizationId, name: 'c', subject: 's', htmlBody: '<p>x</p>' } });
  const flush = () => new Promise((r) => setImmediate(r));

  it('emits once after commit when a campaign becomes SENDING', async () => {
    const c = await draft();
    let seenInsideTransaction = -1;
    await prisma.transaction(async (tx) => {
      await tx.campaign.update({ where: { id: c.id }, data: { status: 'SENDING' } });
      await flush();
      seenInsideTransaction = events.length;
    });
    await flush();
    expect(seenInsideTransaction).toBe(0);
    expect(events).toEqual([{ campaignId: c.id, organizationId }]);
  });

  it('does not emit again when a SENDING campaign is written SENDING again', async () => {
    const c = await draft();
    await prisma.db.campaign.update({ where: { id: c.id }, data: { status: 'SENDING' } });
    await prisma.db.campaign.update({ where: { id: c.id }, data: { status: 'SENDING', name: 'renamed' } });
    await prisma.db.campaign.updateMany({ where: { id: c.id }, data: { status: 'SENDING' } });
    await flush();
    expect(events).toEqual([{ campaignId: c.id, organizationId }]);
  });

  it('never emits for a rolled-back transaction', async () => {
    const c = await draft();
    await expect(
      prisma.transaction(async (tx) => {
        await tx.campaign.update({ where: { id: c.id }, data: { status: 'SENDING' } });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await flush();
    expect(events).toEqual([]);
    expect((await prisma.db.campaign.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('DRAFT');
  });

  it('emits for each campaign an updateMany turns SENDING, and not for other status changes', async () => {
    const [a, b, other] = [await draft(), await draft(), await draft()];
    await prisma.db.campaign.update({ where: { id: other.id }, data: { status: 'PAUSED' } });
    await prisma.transaction((tx) =>
      tx.campaign.updateMany({ where: { id: { in: [a.id, b.id] } }, data: { status: 'SENDING' } }),
    );
    await flush();
    expect(events.map((e) => e.campaignId).sort()).toEqual([a.id, b.id].sort());
  });

  it('emits for a campaign created directly as SENDING', async () => {
    const c = await prisma.db.campaign.create({
      data: { organizationId, name: 'c', subject: 's', htmlBody: 'x', status: 'SENDING' },
    });
    await flush();
    expect(events).toEqual([{ campaignId: c.id, organizationId }]);
  });
});
