import { classifyInbound, ledgerIdsOf, parseDeliveryStatus } from './classify-inbound.js';

/** Real-looking inbound mail, shaped after what Gmail, Exchange Online, Postfix and Exim send. */
const crlf = (lines: string[]) => lines.join('\r\n');
const OURS = '<m.0b6f3f0e-6a53-4c1e-9f43-2c1f5d0e7a11@acme.example>';
const EARLIER = '<m.5d1d2c3b-1111-4a4a-8b8b-0123456789ab@acme.example>';

const gmailDsn = crlf([
  'Delivered-To: ada@acme.example',
  'Return-Path: <>',
  'From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
  'To: ada@acme.example',
  'Auto-Submitted: auto-replied',
  'Subject: Delivery Status Notification (Failure)',
  `References: ${OURS}`,
  `In-Reply-To: ${OURS}`,
  'X-Failed-Recipients: gone@example.org',
  'Message-ID: <6565a0f0.050a0220.abcd.0000.GMR@mx.google.com>',
  'Date: Mon, 23 Nov 2026 10:00:00 -0800 (PST)',
  'MIME-Version: 1.0',
  'Content-Type: multipart/report; boundary="000000000000c1"; report-type=delivery-status',
  '',
  '--000000000000c1',
  'Content-Type: text/plain; charset="UTF-8"',
  '',
  '** Address not found **',
  '',
  "Your message wasn't delivered to gone@example.org because the address couldn't be found, or is unable to receive mail.",
  '',
  '--000000000000c1',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns; googlemail.com',
  'Received-From-MTA: dns; ada@acme.example',
  'Arrival-Date: Mon, 23 Nov 2026 10:00:00 -0800 (PST)',
  '',
  'Final-Recipient: rfc822; gone@example.org',
  'Action: failed',
  'Status: 5.1.1',
  'Remote-MTA: dns; mx.example.org. (203.0.113.7, the server for the domain example.org.)',
  'Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.',
  "    Please try double-checking the recipient's email address.",
  'Last-Attempt-Date: Mon, 23 Nov 2026 10:00:01 -0800 (PST)',
  '',
  '--000000000000c1',
  'Content-Type: message/rfc822',
  '',
  'From: Ada <ada@acme.example>',
  'To: gone@example.org',
  'Subject: Pricing for Example Org',
  `Message-ID: ${OURS}`,
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello there',
  '',
  '--000000000000c1--',
  '',
]);

const exchangeNdr = crlf([
  'From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.example>',
  'To: <bob@contoso.example>',
  'Date: Mon, 23 Nov 2026 18:00:00 +0000',
  'Content-Type: multipart/report; report-type=delivery-status;',
  '\tboundary="a2c0b5d1-6c1e-4a0b-9b1f-0e4f6c0c2c22"',
  'X-MS-Exchange-Message-Is-Ndr:',
  'Content-Language: en-US',
  'Message-ID: <b9c8c7a3-2f20-4e52-a0a1-5d2a9f2d7e10@DM6PR11MB0001.namprd11.prod.outlook.com>',
  'In-Reply-To: <DM6PR11MB4000AB12CD34EF56@DM6PR11MB4000.namprd11.prod.outlook.com>',
  'References: <DM6PR11MB4000AB12CD34EF56@DM6PR11MB4000.namprd11.prod.outlook.com>',
  'Subject: Undeliverable: Hello from Contoso',
  'Auto-Submitted: auto-replied',
  'MIME-Version: 1.0',
  '',
  '--a2c0b5d1-6c1e-4a0b-9b1f-0e4f6c0c2c22',
  'Content-Type: text/plain; charset="us-ascii"',
  '',
  "Your message to nobody@fabrikam.example couldn't be delivered.",
  '',
  '--a2c0b5d1-6c1e-4a0b-9b1f-0e4f6c0c2c22',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns;DM6PR11MB0001.namprd11.prod.outlook.com',
  'Received-From-MTA: dns;DM6PR11MB4000.namprd11.prod.outlook.com',
  'Arrival-Date: Mon, 23 Nov 2026 17:59:58 +0000',
  '',
  'Original-Recipient: rfc822;Nobody@Fabrikam.example',
  'Final-Recipient: rfc822;nobody@fabrikam.example',
  'Action: failed',
  'Status: 5.1.10',
  'Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
  '',
  '--a2c0b5d1-6c1e-4a0b-9b1f-0e4f6c0c2c22',
  'Content-Type: text/rfc822-headers',
  '',
  'From: Bob <bob@contoso.example>',
  'To: <nobody@fabrikam.example>',
  'Subject: Hello from Contoso',
  'Message-ID: <DM6PR11MB4000AB12CD34EF56@DM6PR11MB4000.namprd11.prod.outlook.com>',
  '',
  '--a2c0b5d1-6c1e-4a0b-9b1f-0e4f6c0c2c22--',
  '',
]);

const postfixDelayed = crlf([
  'From: MAILER-DAEMON@mail.example.net (Mail Delivery System)',
  'Subject: Delayed Mail (still being retried)',
  'To: ada@acme.example',
  'Auto-Submitted: auto-replied',
  'MIME-Version: 1.0',
  'Content-Type: multipart/report; report-type=delivery-status;',
  '\tboundary="4A1B2C3D4E.1700000000/mail.example.net"',
  'Message-Id: <20261123100000.4A1B2C3D4E@mail.example.net>',
  '',
  '--4A1B2C3D4E.1700000000/mail.example.net',
  'Content-Description: Notification',
  'Content-Type: text/plain; charset=us-ascii',
  '',
  'This is the mail system at host mail.example.net.',
  '',
  '####################################################################',
  '# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #',
  '####################################################################',
  '',
  '--4A1B2C3D4E.1700000000/mail.example.net',
  'Content-Description: Delivery report',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns; mail.example.net',
  'X-Postfix-Queue-ID: 4A1B2C3D4E',
  '',
  'Final-Recipient: rfc822; full@example.org',
  'Original-Recipient: rfc822;full@example.org',
  'Action: delayed',
  'Status: 4.2.2',
  'Diagnostic-Code: smtp; 452 4.2.2 Mailbox full',
  'Will-Retry-Until: Mon, 28 Nov 2026 10:00:00 +0000 (UTC)',
  '',
  '--4A1B2C3D4E.1700000000/mail.example.net',
  'Content-Description: Undelivered Message Headers',
  'Content-Type: text/rfc822-headers',
  '',
  `Message-ID: ${OURS}`,
  'Subject: Pricing',
  '',
  '--4A1B2C3D4E.1700000000/mail.example.net--',
  '',
]);

const eximPlain = crlf([
  'Return-path: <>',
  'From: Mail Delivery System <Mailer-Daemon@mx1.example.com>',
  'To: ada@acme.example',
  'References: <m.0b6f3f0e-6a53-4c1e-9f43-2c1f5d0e7a11@acme.example>',
  'Subject: Mail delivery failed: returning message to sender',
  'Message-Id: <E1abc-0001-AB@mx1.example.com>',
  'X-Failed-Recipients: unknown@example.com',
  'Auto-Submitted: auto-replied',
  'Content-Type: text/plain; charset=us-ascii',
  '',
  'This message was created automatically by mail delivery software.',
  '',
  'A message that you sent could not be delivered to one or more of its',
  'recipients. This is a permanent error. The following address(es) failed:',
  '',
  '  unknown@example.com',
  '    host mx.example.com [198.51.100.4]',
  '    SMTP error from remote mail server after RCPT TO:<unknown@example.com>:',
  '    550 5.1.1 <unknown@example.com>: Recipient address rejected: User unknown',
  '',
]);

const daemonSoft = crlf([
  'From: postmaster@mail.example.org',
  'To: ada@acme.example',
  'Subject: Warning: could not send message for past 4 hours',
  'Content-Type: text/plain',
  '',
  '    ----- Transcript of session follows -----',
  '452-4.2.2 The email account that you tried to reach is over quota.',
  '',
]);

const outlookOoo = crlf([
  'From: Carol Jones <carol@fabrikam.example>',
  'To: Bob <bob@contoso.example>',
  'Subject: Automatic reply: Hello from Contoso',
  'Thread-Topic: Hello from Contoso',
  'Date: Mon, 23 Nov 2026 18:00:00 +0000',
  'Message-ID: <a1b2c3d4@SN6PR.prod.outlook.com>',
  'In-Reply-To: <DM6PR11MB4000AB12CD34EF56@DM6PR11MB4000.namprd11.prod.outlook.com>',
  'Auto-Submitted: auto-generated',
  'X-Auto-Response-Suppress: All',
  'X-MS-Exchange-Inbox-Rules-Loop: carol@fabrikam.example',
  'Content-Type: text/plain; charset="us-ascii"',
  'MIME-Version: 1.0',
  '',
  'I am out of the office until Monday with limited access to email.',
  '',
]);

const human = (extra: string[], subject = 'Re: Pricing for Example Org') =>
  crlf([
    'From: "Jane Doe" <Jane.Doe@Example.org>',
    'To: Ada <ada@acme.example>',
    `Subject: ${subject}`,
    'Date: Mon, 23 Nov 2026 19:00:00 +0100',
    'Message-ID: <CAJ0x1y2z3@mail.gmail.com>',
    ...extra,
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="0000000000001234"',
    '',
    '--0000000000001234',
    'Content-Type: text/plain; charset="UTF-8"',
    '',
    'Yes, let us talk on Thursday.',
    '',
    '> On Mon, Nov 23, 2026 at 10:00 AM Ada <ada@acme.example> wrote:',
    '> Hello there',
    '',
    '--0000000000001234',
    'Content-Type: text/html; charset="UTF-8"',
    '',
    '<div dir="ltr">Yes, let us talk on Thursday.</div>',
    '',
    '--0000000000001234--',
    '',
  ]);

describe('classifyInbound', () => {
  it('a Gmail DSN is a hard bounce naming the original message, though it also has In-Reply-To and Auto-Submitted', async () => {
    const c = await classifyInbound(gmailDsn);
    expect(c).toMatchObject({
      kind: 'BOUNCE_HARD',
      status: '5.1.1',
      failedRecipients: ['gone@example.org'],
      from: 'mailer-daemon@googlemail.com',
    });
    expect(c.referencedIds[0]).toBe(OURS);
    expect(c.diagnostic).toContain('does not exist');
    expect(ledgerIdsOf(c.referencedIds)).toEqual(['0b6f3f0e-6a53-4c1e-9f43-2c1f5d0e7a11']);
  });

  it('an Exchange Online NDR is a hard bounce with both recipient fields, even when our Message-ID was rewritten', async () => {
    const c = await classifyInbound(exchangeNdr);
    expect(c.kind).toBe('BOUNCE_HARD');
    expect(c.status).toBe('5.1.10');
    expect(c.failedRecipients).toEqual(['nobody@fabrikam.example']);
    expect(c.referencedIds).toEqual(['<DM6PR11MB4000AB12CD34EF56@DM6PR11MB4000.namprd11.prod.outlook.com>']);
    expect(ledgerIdsOf(c.referencedIds)).toEqual([]); // matched by recipient + mailbox instead
  });

  it('a Postfix "delayed" report is a soft bounce', async () => {
    const c = await classifyInbound(postfixDelayed);
    expect(c).toMatchObject({ kind: 'BOUNCE_SOFT', status: '4.2.2', failedRecipients: ['full@example.org'] });
    expect(c.referencedIds).toEqual([OURS]);
  });

  it('an Exim bounce without a report part is hard by its SMTP code, with X-Failed-Recipients', async () => {
    const c = await classifyInbound(eximPlain);
    expect(c).toMatchObject({
      kind: 'BOUNCE_HARD',
      status: '5.1.1',
      failedRecipients: ['unknown@example.com'],
    });
    expect(ledgerIdsOf(c.referencedIds)).toEqual(['0b6f3f0e-6a53-4c1e-9f43-2c1f5d0e7a11']);
  });

  it('a postmaster warning with a 4.x.x code is a soft bounce', async () => {
    expect((await classifyInbound(daemonSoft)).kind).toBe('BOUNCE_SOFT');
  });

  it('a mailer-daemon message with no status code is not a bounce', async () => {
    const c = await classifyInbound(
      crlf([
        'From: mailer-daemon@example.com',
        'To: ada@acme.example',
        'Subject: Hello',
        '',
        'Just saying hi.',
        '',
      ]),
    );
    expect(c.kind).toBe('REPLY');
  });

  it('a report of successful delivery is neither a bounce nor a reply', async () => {
    const delivered = gmailDsn
      .replace('Action: failed', 'Action: delivered')
      .replace('Status: 5.1.1', 'Status: 2.0.0');
    const c = await classifyInbound(delivered.replace('X-Failed-Recipients: gone@example.org\r\n', ''));
    expect(c).toMatchObject({ kind: 'DELIVERY_REPORT', failedRecipients: [] });
  });

  it('an Outlook out-of-office answer is automatic', async () => {
    const c = await classifyInbound(outlookOoo);
    expect(c).toMatchObject({ kind: 'AUTO_REPLY', from: 'carol@fabrikam.example' });
    expect(c.reason).toContain('Auto-Submitted');
  });

  it.each([
    ['Auto-Submitted: auto-replied', 'AUTO_REPLY'],
    ['Auto-Submitted: auto-generated; owner-email="x@example.org"', 'AUTO_REPLY'],
    ['Auto-Submitted: no', 'REPLY'],
    ['X-Autoreply: yes', 'AUTO_REPLY'],
    ['X-Autorespond: Out of office', 'AUTO_REPLY'],
    ['Precedence: auto_reply', 'AUTO_REPLY'],
    ['Precedence: bulk', 'AUTO_REPLY'],
    ['Precedence: junk', 'AUTO_REPLY'],
    ['Precedence: first-class', 'REPLY'],
  ])('with %s it is %s', async (header, kind) => {
    expect((await classifyInbound(human([header, `In-Reply-To: ${OURS}`]))).kind).toBe(kind);
  });

  it('an out-of-office subject alone is a person (a weak hint), with a weak header it is automatic', async () => {
    const subject = 'Out of Office: Pricing for Example Org';
    expect((await classifyInbound(human([`In-Reply-To: ${OURS}`], subject))).kind).toBe('REPLY');
    expect(
      (await classifyInbound(human([`In-Reply-To: ${OURS}`, 'X-Auto-Response-Suppress: All'], subject))).kind,
    ).toBe('AUTO_REPLY');
    expect(
      (
        await classifyInbound(
          human([`In-Reply-To: ${OURS}`, 'Return-Path: <>'], 'Abwesenheitsnotiz: Angebot'),
        )
      ).kind,
    ).toBe('AUTO_REPLY');
  });

  it('a person replying names the message answered first, then the thread newest first', async () => {
    const c = await classifyInbound(human([`In-Reply-To: ${OURS}`, `References: ${EARLIER} ${OURS}`]));
    expect(c).toMatchObject({
      kind: 'REPLY',
      from: 'jane.doe@example.org',
      subject: 'Re: Pricing for Example Org',
      messageIdHeader: '<CAJ0x1y2z3@mail.gmail.com>',
    });
    expect(c.referencedIds).toEqual([OURS, EARLIER]);
    expect(ledgerIdsOf(c.referencedIds)).toEqual([
      '0b6f3f0e-6a53-4c1e-9f43-2c1f5d0e7a11',
      '5d1d2c3b-1111-4a4a-8b8b-0123456789ab',
    ]);
  });

  it('never throws on garbage', async () => {
    const c = await classifyInbound(Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]));
    expect(['REPLY']).toContain(c.kind);
    expect(c.referencedIds).toEqual([]);
  });
});

describe('parseDeliveryStatus', () => {
  it('reads every recipient block, unfolding continued lines', () => {
    const body = [
      'Reporting-MTA: dns; mx.example',
      '',
      'Final-Recipient: rfc822; a@example.org',
      'Action: failed',
      'Status: 5.7.1 (delivery not authorized)',
      'Diagnostic-Code: smtp; 550 5.7.1 Message rejected',
      '  as spam',
      '',
      'Final-Recipient: rfc822;<b@example.org>',
      'Action: delayed',
      'Status: 4.4.7',
      '',
    ].join('\n');
    expect(parseDeliveryStatus(body)).toEqual([
      {
        finalRecipient: 'a@example.org',
        originalRecipient: null,
        action: 'failed',
        status: '5.7.1',
        diagnostic: '550 5.7.1 Message rejected as spam',
      },
      {
        finalRecipient: 'b@example.org',
        originalRecipient: null,
        action: 'delayed',
        status: '4.4.7',
        diagnostic: null,
      },
    ]);
  });
});
