import type { DeliveryEvent } from '../../delivery/delivery.contract.js';
import { applyEvent, type ExecutionState } from './apply-event.js';

const at = new Date('2026-06-02T10:00:00Z');
const execution = (extra: Partial<ExecutionState> = {}): ExecutionState => ({
  id: 'x',
  organizationId: 'o',
  sequenceId: 's',
  enrollmentId: 'e',
  versionId: 'v',
  stepId: 'st',
  stepKey: 'intro',
  status: 'HANDED_OVER',
  messageId: 'm',
  handedOverAt: at,
  sentAt: null,
  openedAt: null,
  machineOpenedAt: null,
  clickedAt: null,
  repliedAt: null,
  bouncedAt: null,
  failedAt: null,
  failureReason: null,
  step: { threadMode: 'NEW_THREAD' },
  versionRef: { version: 1 },
  changed: false,
  ...extra,
});
const event = (type: DeliveryEvent['type'], extra: Partial<DeliveryEvent> = {}): DeliveryEvent => ({
  type,
  organizationId: 'o',
  groupId: 's',
  sourceType: 'SEQUENCE',
  sourceRef: 'x',
  messageId: 'm',
  contactId: 'c',
  at,
  ...extra,
});

describe('applyEvent', () => {
  it('records a send once and starts the thread with its Message-ID', () => {
    const x = execution();
    const sent = event('sent', { messageIdHeader: '<a@b>', providerThreadId: 't1' });
    expect(applyEvent(x, { threadMessageId: null }, sent)).toMatchObject({
      stats: ['sent'],
      thread: ['<a@b>', 't1'],
    });
    expect(x).toMatchObject({ status: 'SENT', sentAt: at, changed: true });
    expect(applyEvent(x, { threadMessageId: '<a@b>' }, sent)).toEqual({ stats: [] });
  });

  it('keeps a SAME_THREAD follow-up in the enrollment thread', () => {
    const x = execution({ step: { threadMode: 'SAME_THREAD' } });
    const r = applyEvent(
      x,
      { threadMessageId: '<first@b>' },
      event('sent', { messageIdHeader: '<second@b>' }),
    );
    expect(r.thread).toBeUndefined();
  });

  it('counts the first human open and click, keeps machine opens apart, and lets machines decide nothing', () => {
    const x = execution({ status: 'SENT', sentAt: at });
    expect(applyEvent(x, { threadMessageId: null }, event('opened', { machine: true })).stats).toEqual([
      'machineOpened',
    ]);
    expect(x.openedAt).toBeNull();
    expect(applyEvent(x, { threadMessageId: null }, event('opened')).stats).toEqual(['opened']);
    expect(applyEvent(x, { threadMessageId: null }, event('opened')).stats).toEqual([]);
    expect(applyEvent(x, { threadMessageId: null }, event('clicked', { machine: true })).stats).toEqual([]);
    expect(x.clickedAt).toBeNull();
    expect(applyEvent(x, { threadMessageId: null }, event('clicked')).stats).toEqual(['clicked']);
  });

  it('signals replies (automatic ones marked), hard bounces only, and unsubscribes', () => {
    const x = execution({ status: 'SENT', sentAt: at });
    expect(applyEvent(x, { threadMessageId: null }, event('replied', { automatic: true }))).toMatchObject({
      stats: ['autoReplied'],
      signal: { type: 'replied', automatic: true },
    });
    expect(x.repliedAt).toBeNull();
    expect(applyEvent(x, { threadMessageId: null }, event('replied'))).toMatchObject({
      stats: ['replied'],
      signal: { type: 'replied', automatic: false },
    });
    expect(applyEvent(x, { threadMessageId: null }, event('bounced', { hard: false }))).toEqual({
      stats: [],
    });
    expect(applyEvent(x, { threadMessageId: null }, event('bounced', { hard: true })).signal).toEqual({
      type: 'bounced',
    });
    expect(applyEvent(x, { threadMessageId: null }, event('unsubscribed')).signal).toEqual({
      type: 'unsubscribed',
    });
  });

  it('marks a failed or cancelled hand-over, but not one already sent', () => {
    const failed = execution();
    expect(
      applyEvent(failed, { threadMessageId: null }, event('failed', { reason: 'mailbox refused' })).stats,
    ).toEqual(['failed']);
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'mailbox refused' });
    const sent = execution({ status: 'SENT', sentAt: at });
    expect(applyEvent(sent, { threadMessageId: null }, event('cancelled'))).toEqual({ stats: [] });
    expect(sent.status).toBe('SENT');
  });
});
