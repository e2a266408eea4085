import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type SMTPTransportOptions, type Transporter } from 'nodemailer';
import { HostRefusedError } from '../../common/net/host-guard.js';
import { MailboxAuthError } from '../mail-errors.js';
import { MailboxHostGuard } from '../mailbox-host-guard.js';
import type { MailboxContext, MailProvider, OutgoingMessage, SendResult } from '../mail-provider.port.js';
import { classifySmtpError } from './classify-smtp-error.js';
import { smtpCheckFailure } from './smtp-check-failure.js';
import { parseSmtpCredentials, type SmtpCredentials } from './smtp-credentials.js';

/** Per send: the stream nodemailer hands to the server once DATA is accepted. */
interface DataProbe {
  stream?: Readable;
}

interface CachedTransport {
  fingerprint: string;
  transporter: Promise<Transporter>;
}

/**
 * SMTP through nodemailer: one pooled transport per mailbox, kept until the mailbox is
 * disconnected, its settings change, or the process stops. SMTP cannot be asked whether a
 * message went out, so `canReconcile` is false and `findSent` answers null.
 *
 * Every transport connects to an address the MailboxHostGuard checked (public, or allow-listed),
 * by IP, with the host name kept for TLS: nodemailer never resolves the name again. A password is
 * only sent over TLS unless the mailbox explicitly allows otherwise (`allowInsecureAuth`).
 */
@Injectable()
export class SmtpProvider implements MailProvider, OnModuleDestroy {
  readonly type = 'SMTP' as const;
  readonly canReconcile = false;
  private readonly logger = new Logger(SmtpProvider.name);
  private readonly transports = new Map<string, CachedTransport>();
  /** Keyed by the per-send envelope object, which nodemailer passes through to its plugins. */
  private readonly probes = new WeakMap<object, DataProbe>();

  constructor(private readonly hosts: MailboxHostGuard) {}

  /**
   * Connects and authenticates on a throw-away connection. Throws a MailboxCheckError in the
   * engine's words (the server's replies are logged, never returned).
   */
  async verify(mailbox: MailboxContext): Promise<void> {
    const credentials = this.credentials(mailbox);
    let transporter: Transporter | undefined;
    try {
      transporter = await this.createTransporter({ ...credentials, pool: false });
      await transporter.verify();
    } catch (error) {
      if (!(error instanceof HostRefusedError))
        this.logger.log(
          `SMTP check of ${credentials.host}:${credentials.port} failed: ${(error as Error).message}`,
        );
      throw smtpCheckFailure(error, credentials);
    } finally {
      transporter?.close();
    }
  }

  async send(mailbox: MailboxContext, message: OutgoingMessage): Promise<SendResult> {
    const transporter = await this.transportFor(mailbox);
    const envelope = { from: message.from, to: [message.to] };
    const probe: DataProbe = {};
    this.probes.set(envelope, probe);
    try {
      const info = (await transporter.sendMail({ envelope, raw: message.raw })) as {
        response?: string;
        serverMessageId?: string;
      };
      // A Message-ID the server substituted (Microsoft 365, SES), else its queue id, else ours.
      const queueId = /queued as ([\w.@<>-]+)/i.exec(info.response ?? '')?.[1];
      return { providerMessageId: info.serverMessageId ?? queueId ?? message.messageId };
    } catch (error) {
      // nodemailer only starts reading the message once the server accepted DATA (354).
      throw classifySmtpError(error, { dataSent: probe.stream?.readableDidRead === true });
    }
  }

  async findSent(): Promise<SendResult | null> {
    return null;
  }

  /** Closes the pooled connections of one mailbox, or of all of them. */
  async close(mailboxId?: string): Promise<void> {
    const ids = mailboxId ? [mailboxId] : [...this.transports.keys()];
    for (const id of ids) {
      void this.transports
        .get(id)
        ?.transporter.then((t) => t.close())
        .catch(() => undefined);
      this.transports.delete(id);
    }
  }

  async onModuleDestroy() {
    await this.close();
  }

  private credentials(mailbox: MailboxContext): SmtpCredentials {
    try {
      return parseSmtpCredentials(mailbox.credentials);
    } catch (e) {
      throw new MailboxAuthError((e as Error).message);
    }
  }

  /**
   * The mailbox's cached transport; replaced when its settings changed (reconnected). A host the
   * guard refuses (it now resolves to a private address) is a MailboxAuthError: reconnect it.
   */
  private transportFor(mailbox: MailboxContext): Promise<Transporter> {
    const credentials = this.credentials(mailbox);
    const fingerprint = createHash('sha256').update(JSON.stringify(credentials)).digest('hex');
    const cached = this.transports.get(mailbox.id);
    if (cached?.fingerprint === fingerprint) return cached.transporter;
    if (cached) void this.close(mailbox.id);
    const transporter = this.createTransporter(credentials).catch((e: unknown) => {
      if (this.transports.get(mailbox.id)?.transporter === transporter) this.transports.delete(mailbox.id);
      throw e instanceof HostRefusedError ? new MailboxAuthError(e.message) : e;
    });
    this.transports.set(mailbox.id, { fingerprint, transporter });
    return transporter;
  }

  private async createTransporter(c: SmtpCredentials): Promise<Transporter> {
    const target = await this.hosts.check(c.host, c.port, 'smtp.host');
    const options: SMTPTransportOptions = {
      host: target.address,
      port: c.port,
      secure: c.secure,
      // SNI and the certificate check use the name the user gave, not the address.
      tls: target.servername ? { servername: target.servername } : undefined,
      // With a login and no TLS from the first byte, STARTTLS is mandatory unless the mailbox allows plain text.
      requireTLS: !c.secure && !!c.username && !c.allowInsecureAuth,
      auth: c.username ? { user: c.username, pass: c.password ?? '' } : undefined,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
      logger: false,
    };
    const transporter: Transporter = c.pool
      ? nodemailer.createTransport({ ...options, pool: true, maxConnections: 3, maxMessages: 100 })
      : nodemailer.createTransport(options);
    // Remember the stream nodemailer will write after DATA, to tell a lost reply from a refused send.
    transporter.use('stream', (mail, done) => {
      const probe = mail.data.envelope ? this.probes.get(mail.data.envelope) : undefined;
      if (probe) {
        mail.message.processFunc((input: Readable) => {
          probe.stream = input;
          return input;
        });
      }
      done();
    });
    transporter.on('error', (e: Error) => this.logger.warn(`SMTP ${c.host}:${c.port}: ${e.message}`));
    return transporter;
  }
}
