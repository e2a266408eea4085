import { signUpWithOrg, type Account } from './factories/accounts.js';
import { sandboxMailbox } from './factories/campaigns.js';
import {
  activate,
  contactsInZones,
  CREATE_SEQUENCE,
  createSequence,
  emailStep,
  ENROLL,
  threeEmailSteps,
  UPDATE_SEQUENCE,
} from './factories/sequences.js';
import { GraphQLClient } from './support/graphql-client.js';
import { ManualClock } from './support/manual-clock.js';
import { startSequenceApp, type SequenceTestApp } from './support/sequence-app.js';

/** Sequence definitions, versions, enrollment and tenancy through GraphQL over HTTP. */
describe('sequences over GraphQL', () => {
  const clock = new ManualClock('2026-06-02T08:00:00Z'); // a Tuesday
  let t: SequenceTestApp;
  let owner: Account;
  let me: GraphQLClient;
  let mailboxes: { id: string; email: string }[];

  beforeAll(async () => {
    t = await startSequenceApp(clock);
    const api = new GraphQLClient(t.url);
    owner = await signUpWithOrg(api, 'seq-owner');
    me = api.as({ token: owner.token, org: owner.org });
    mailboxes = [await sandboxMailbox(me, 'seq-a'), await sandboxMailbox(me, 'seq-b')];
  });
  afterAll(() => t.close());

  const ids = () => mailboxes.map((m) => m.id);

  describe('definition', () => {
    it('creates a DRAFT with its draft version, resolving each step successor', async () => {
      const { createSequence: s } = await me.ok(CREATE_SEQUENCE, {
        i: { name: 'Intro', senderAccountIds: ids(), timezone: 'America/New_York', steps: threeEmailSteps() },
      });
      expect(s).toMatchObject({
        status: 'DRAFT',
        currentVersion: null,
        timezone: 'America/New_York',
        senderAccountIds: ids(),
      });
      expect(s.versions).toEqual([
        expect.objectContaining({ version: 1, publishedAt: null, entryStepKey: 'intro' }),
      ]);
      expect(s.steps.map((x: any) => [x.key, x.nextStepKey ?? `${x.yesStepKey}/${x.noStepKey}`])).toEqual([
        ['intro', 'wait-1'],
        ['wait-1', 'replied'],
        ['replied', 'done/follow-up'],
        ['follow-up', 'wait-2'],
        ['wait-2', 'last'],
        ['last', 'done'],
        ['done', 'null/null'],
      ]);
    });

    it.each([
      ['a wait of zero', (s: any[]) => (s[1].waitAmount = 0), 'steps.1.waitAmount'],
      [
        'an unknown template variable',
        (s: any[]) => (s[3].htmlBody = '{{ campaign.name }}'),
        'steps.3.htmlBody',
      ],
      ['a branch to nowhere', (s: any[]) => (s[2].noStepKey = 'nowhere'), 'steps.2.noStepKey'],
      ['a loop without a wait', (s: any[]) => (s[2].yesStepKey = 'replied'), 'steps.2.yesStepKey'],
      ['an email sent twice by a loop', (s: any[]) => (s[5].nextStepKey = 'wait-1'), 'steps.5.nextStepKey'],
      ['an unreachable step', (s: any[]) => (s[0].nextStepKey = 'follow-up'), 'steps.1.key'],
      ['a field of another step type', (s: any[]) => (s[1].subject = 'x'), 'steps.1.subject'],
    ])(
      'refuses %s with BAD_USER_INPUT naming the field, and stores nothing',
      async (_label, change, field) => {
        const steps = threeEmailSteps();
        change(steps);
        const before = await t.prisma.db.sequence.count();
        const error = await me.error(CREATE_SEQUENCE, { i: { name: 'Bad', senderAccountIds: ids(), steps } });
        expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
        expect(await t.prisma.db.sequence.count()).toBe(before);
      },
    );

    it('checks inputs: time zone, business hours, mailboxes of the organization', async () => {
      const base = { name: 'X', senderAccountIds: ids(), steps: [emailStep('only')] };
      expect(
        (await me.error(CREATE_SEQUENCE, { i: { ...base, timezone: 'Mars/Base' } })).extensions,
      ).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'timezone',
      });
      expect(
        (
          await me.error(CREATE_SEQUENCE, {
            i: { ...base, businessStartMinute: 600, businessEndMinute: 540 },
          })
        ).extensions,
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'businessEndMinute' });
      expect(
        (
          await me.error(CREATE_SEQUENCE, {
            i: { ...base, senderAccountIds: ['00000000-0000-4000-8000-000000000000'] },
          })
        ).extensions,
      ).toMatchObject({ code: 'NOT_FOUND', field: 'senderAccountIds' });
    });
  });

  describe('versions', () => {
    it('publishes version 1 on activation; an edit of an active sequence publishes version 2 and enrolled contacts keep 1', async () => {
      const s = await createSequence(me, ids());
      // A draft changes in place.
      const { updateSequence: draft } = await me.ok(UPDATE_SEQUENCE, {
        id: s.id,
        i: { name: 'Renamed', steps: threeEmailSteps() },
      });
      expect(draft.versions).toHaveLength(1);
      expect(await activate(me, s.id)).toEqual({ status: 'ACTIVE', currentVersion: 1 });
      expect(t.delivery.groups.get(s.id)).toMatchObject({
        sourceType: 'SEQUENCE',
        organizationId: owner.org,
      });
      const { contacts } = await contactsInZones(me, 3, [null], 'ver');
      await me.ok(ENROLL, { i: { sequenceId: s.id, contactIds: contacts.map((c) => c.id) } });

      const steps: any[] = threeEmailSteps();
      steps.splice(3, 0, emailStep('extra'));
      steps[2].noStepKey = 'extra';
      const { updateSequence: edited } = await me.ok(UPDATE_SEQUENCE, { id: s.id, i: { steps } });
      expect(edited.currentVersion).toBe(2);
      expect(edited.versions.map((v: any) => [v.version, v.steps.length, v.publishedAt !== null])).toEqual([
        [1, 7, true],
        [2, 8, true],
      ]);
      // Version 1 is unchanged and the enrolled contacts are still on it; a new contact enters version 2.
      expect(edited.versions[0].steps.map((x: any) => x.key)).not.toContain('extra');
      const [late] = (await contactsInZones(me, 1, [null], 'ver-late')).contacts;
      await me.ok(ENROLL, { i: { sequenceId: s.id, contactIds: [late.id] } });
      const versions = await t.prisma.db.sequenceEnrollment.findMany({
        where: { sequenceId: s.id },
        select: { contactId: true, version: true },
      });
      expect(
        versions
          .filter((v) => v.version === 1)
          .map((v) => v.contactId)
          .sort(),
      ).toEqual(contacts.map((c) => c.id).sort());
      expect(versions.find((v) => v.contactId === late.id)!.version).toBe(2);
      // Settings apply at once and publish nothing.
      const { updateSequence: renamed } = await me.ok(UPDATE_SEQUENCE, {
        id: s.id,
        i: { name: 'Again', stopOnBounce: false },
      });
      expect(renamed.currentVersion).toBe(2);
      // Delivery content is created once per EMAIL step of each published version: 3 in v1, 4 in v2.
      const contents = [...t.delivery.contents.values()].filter(
        (c) => (c.variables.sequence as { name: string }).name === 'Renamed',
      );
      expect(contents).toHaveLength(3 + 4);
    });

    it('applies the lifecycle: illegal transitions are CONFLICT', async () => {
      const s = await createSequence(me, ids());
      const call = (m: string) => me.request(`mutation($id: ID!) { ${m}(id: $id) { status } }`, { id: s.id });
      expect((await call('pauseSequence')).errors![0].extensions!.code).toBe('CONFLICT');
      expect((await call('activateSequence')).data!.activateSequence.status).toBe('ACTIVE');
      expect((await call('activateSequence')).errors![0].extensions!.code).toBe('CONFLICT');
      expect((await call('pauseSequence')).data!.pauseSequence.status).toBe('PAUSED');
      expect(t.delivery.groups.get(s.id)!.paused).toBe(true);
      expect((await call('resumeSequence')).data!.resumeSequence.status).toBe('ACTIVE');
      expect((await call('archiveSequence')).data!.archiveSequence.status).toBe('ARCHIVED');
      const edit = await me.error(UPDATE_SEQUENCE, { id: s.id, i: { name: 'late' } });
      expect(edit.extensions!.code).toBe('CONFLICT');
    });
  });

  describe('enrollment', () => {
    it('is idempotent, skips suppressed and already-replied contacts with the reason, and re-enrolls only on request after an end', async () => {
      const s = await createSequence(me, ids());
      await activate(me, s.id);
      const { listId, contacts } = await contactsInZones(me, 10, [null], 'enr');
      const [suppressed, replied, stoppedOne] = contacts;
      await me.ok(`mutation($i: AddSuppressionInput!) { addSuppression(input: $i) { email } }`, {
        i: { email: suppressed.email },
      });
      // A reply recorded on an earlier enrollment elsewhere in the organization.
      const other = await createSequence(me, ids(), { name: 'Earlier' });
      await activate(me, other.id);
      await me.ok(ENROLL, { i: { sequenceId: other.id, contactIds: [replied.id] } });
      await t.prisma.db.sequenceEnrollment.updateMany({
        where: { sequenceId: other.id },
        data: { repliedAt: clock.now() },
      });

      const first = (await me.ok(ENROLL, { i: { sequenceId: s.id, listIds: [listId] } })).enrollContacts;
      expect(first.enrolled).toBe(8);
      expect(first.skips).toEqual(
        expect.arrayContaining([
          { contactId: suppressed.id, email: suppressed.email, reason: 'SUPPRESSED' },
          { contactId: replied.id, email: replied.email, reason: 'ALREADY_REPLIED' },
        ]),
      );
      // Again, by list and by id: nobody is enrolled twice.
      const again = (
        await me.ok(ENROLL, { i: { sequenceId: s.id, listIds: [listId], contactIds: [contacts[5].id] } })
      ).enrollContacts;
      expect(again.enrolled).toBe(0);
      expect(again.skips.filter((x: any) => x.reason === 'ALREADY_ENROLLED')).toHaveLength(8);
      expect(await t.prisma.db.sequenceEnrollment.count({ where: { sequenceId: s.id } })).toBe(8);

      // Each enrollment has one mailbox, split evenly between the two.
      const rows = await t.prisma.db.sequenceEnrollment.findMany({ where: { sequenceId: s.id } });
      expect(rows.filter((r) => r.senderAccountId === mailboxes[0].id)).toHaveLength(4);

      // After it ends, only an explicit re-enrollment enrolls again.
      const enrollment = rows.find((r) => r.contactId === stoppedOne.id)!;
      const { stopEnrollment } = await me.ok(
        `mutation($id: ID!) { stopEnrollment(id: $id) { status stopReason } }`,
        {
          id: enrollment.id,
        },
      );
      expect(stopEnrollment).toEqual({ status: 'STOPPED', stopReason: 'MANUAL' });
      const ended = (await me.ok(ENROLL, { i: { sequenceId: s.id, contactIds: [stoppedOne.id] } }))
        .enrollContacts;
      expect(ended.skips).toEqual([
        { contactId: stoppedOne.id, email: stoppedOne.email, reason: 'ENDED_BEFORE' },
      ]);
      const re = (
        await me.ok(ENROLL, { i: { sequenceId: s.id, contactIds: [stoppedOne.id], reenroll: true } })
      ).enrollContacts;
      expect(re.enrolled).toBe(1);
      const attempts = await t.prisma.db.sequenceEnrollment.findMany({
        where: { sequenceId: s.id, contactId: stoppedOne.id },
        orderBy: { attempt: 'asc' },
      });
      expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
        [1, 'STOPPED'],
        [2, 'ACTIVE'],
      ]);

      const page = await me.ok(
        `query($s: ID!) { enrollments(sequenceId: $s, status: ACTIVE, first: 5) { totalCount edges { node { contactEmail status version timeline { type stepKey } } } pageInfo { hasNextPage } } }`,
        { s: s.id },
      );
      expect(page.enrollments.totalCount).toBe(8);
      expect(page.enrollments.pageInfo.hasNextPage).toBe(true);
      expect(page.enrollments.edges[0].node.timeline[0]).toEqual({ type: 'ENROLLED', stepKey: 'intro' });
    });

    it('refuses a DRAFT sequence and names unknown contacts and lists', async () => {
      const s = await createSequence(me, ids());
      const { contacts } = await contactsInZones(me, 1, [null], 'draft');
      expect(
        (await me.error(ENROLL, { i: { sequenceId: s.id, contactIds: [contacts[0].id] } })).extensions!.code,
      ).toBe('CONFLICT');
      await activate(me, s.id);
      const unknown = '00000000-0000-4000-8000-000000000001';
      expect(
        (await me.error(ENROLL, { i: { sequenceId: s.id, contactIds: [unknown] } })).extensions,
      ).toMatchObject({
        code: 'NOT_FOUND',
        field: 'contactIds',
      });
      expect(
        (await me.error(ENROLL, { i: { sequenceId: s.id, listIds: [unknown] } })).extensions,
      ).toMatchObject({
        code: 'NOT_FOUND',
        field: 'listIds',
      });
      expect((await me.error(ENROLL, { i: { sequenceId: s.id } })).extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'contactIds',
      });
    });
  });

  describe('tenancy', () => {
    it('shows another organization nothing and lets it change nothing', async () => {
      const s = await createSequence(me, ids());
      await activate(me, s.id);
      const { contacts } = await contactsInZones(me, 2, [null], 'tenant');
      await me.ok(ENROLL, { i: { sequenceId: s.id, contactIds: contacts.map((c) => c.id) } });
      const enrollment = await t.prisma.db.sequenceEnrollment.findFirstOrThrow({
        where: { sequenceId: s.id },
      });

      const intruder = await signUpWithOrg(new GraphQLClient(t.url), 'intruder');
      const them = new GraphQLClient(t.url, { token: intruder.token, org: intruder.org });
      await sandboxMailbox(them, 'theirs');
      const theirContacts = await contactsInZones(them, 1, [null], 'theirs');
      const notFound = async (query: string, variables: Record<string, unknown>) =>
        expect((await them.error(query, variables)).extensions!.code).toBe('NOT_FOUND');

      await notFound(`query($id: ID!) { sequence(id: $id) { id } }`, { id: s.id });
      await notFound(UPDATE_SEQUENCE, { id: s.id, i: { name: 'mine now' } });
      for (const m of ['pauseSequence', 'archiveSequence', 'activateSequence'])
        await notFound(`mutation($id: ID!) { ${m}(id: $id) { id } }`, { id: s.id });
      await notFound(ENROLL, {
        i: { sequenceId: s.id, contactIds: theirContacts.contacts.map((c) => c.id) },
      });
      await notFound(`mutation($id: ID!) { stopEnrollment(id: $id) { id } }`, { id: enrollment.id });
      await notFound(`query($id: ID!) { enrollment(id: $id) { id } }`, { id: enrollment.id });
      await notFound(`query($id: ID!) { sequenceAnalytics(sequenceId: $id) { enrolled } }`, { id: s.id });
      await notFound(`query($id: ID!) { simulateSequence(sequenceId: $id) { outcome } }`, { id: s.id });
      await notFound(`mutation($i: MoveEnrollmentsInput!) { moveEnrollments(input: $i) { moved } }`, {
        i: {
          sequenceId: s.id,
          fromVersion: 1,
          toVersion: 2,
          stepMapping: [{ fromStepKey: 'intro', toStepKey: 'intro' }],
        },
      });
      // Their own sequence cannot use our mailboxes, and ours cannot take their contacts.
      expect(
        (
          await them.error(CREATE_SEQUENCE, {
            i: { name: 'x', senderAccountIds: ids(), steps: [emailStep('a')] },
          })
        ).extensions,
      ).toMatchObject({ code: 'NOT_FOUND', field: 'senderAccountIds' });
      expect(
        (
          await me.error(ENROLL, {
            i: { sequenceId: s.id, contactIds: theirContacts.contacts.map((c) => c.id) },
          })
        ).extensions,
      ).toMatchObject({ code: 'NOT_FOUND', field: 'contactIds' });
      const lists = await them.ok(`{ sequences { totalCount } enrollments { totalCount } }`);
      expect(lists).toEqual({ sequences: { totalCount: 0 }, enrollments: { totalCount: 0 } });

      const mine = await me.ok(`query($id: ID!) { sequence(id: $id) { name status } }`, { id: s.id });
      expect(mine.sequence).toEqual({ name: 'Outreach', status: 'ACTIVE' });
      expect(
        (await t.prisma.db.sequenceEnrollment.findUniqueOrThrow({ where: { id: enrollment.id } })).status,
      ).toBe('ACTIVE');
    });

    it('lets a VIEWER read but not change', async () => {
      const viewerAccount = await signUpWithOrg(new GraphQLClient(t.url), 'viewer');
      await t.prisma.db.membership.create({
        data: { userId: viewerAccount.userId, organizationId: owner.org, role: 'VIEWER' },
      });
      const viewer = new GraphQLClient(t.url, { token: viewerAccount.token, org: owner.org });
      expect((await viewer.ok(`{ sequences { totalCount } }`)).sequences.totalCount).toBeGreaterThan(0);
      const error = await viewer.error(CREATE_SEQUENCE, {
        i: { name: 'x', senderAccountIds: ids(), steps: [emailStep('a')] },
      });
      expect(error.extensions!.code).toBe('FORBIDDEN');
    });
  });
});
