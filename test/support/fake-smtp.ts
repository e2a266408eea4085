import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server on loopback for tests (smtp-server package), recording what it accepts.
 *
 *   const smtp = await startFakeSmtp({ auth: { username: 'u', password: 'p' } });
 *   // connect an SMTP mailbox with { host: smtp.host, port: smtp.port, secure: false, username: 'u', password: 'p' }
 *   smtp.setRule('gone@example.com', { reject: 'permanent' });          // 550 5.1.1 user unknown
 *   smtp.setRule('busy@example.com', { reject: 'transient', times: 2 }); // 451 twice, then accepted
 *   smtp.setRule('slow@example.com', { delayMs: 500 });                  // answers the message after 500 ms
 *   smtp.setRule('lost@example.com', { dropAfterData: true });           // takes the message, hangs up unanswered
 *   smtp.setRule('held@example.com', { holdUntil: promise });            // answers once the promise settles
 *   smtp.setAuth({ username: 'u', password: 'new' });                   // later logins fail with 535
 *   await smtp.waitForMessages(3);
 *   smtp.messages[0].to; smtp.attempts('busy@example.com'); await smtp.close();
 *
 * Plain text only (no STARTTLS), so point clients at it with `secure: false`.
 */

export interface FakeSmtpCredentials {
  username: string;
  password: string;
}

export interface FakeSmtpOptions {
  /** Require this login for MAIL FROM (530 without it, 535 for a wrong one); none = anyone may send. */
  auth?: FakeSmtpCredentials;
}

/** What happens to messages for one recipient address. Fields combine (e.g. delay + transient). */
export interface FakeSmtpRule {
  /**
   * `permanent`: RCPT TO is refused with 550 5.1.1 user unknown (or `code`/`message`).
   * `transient`: RCPT TO is refused with 451 4.3.0 for the first `times` attempts (default: always).
   */
  reject?: 'permanent' | 'transient';
  times?: number;
  code?: number;
  message?: string;
  /** Wait this long before answering the message (after DATA). */
  delayMs?: number;
  /**
   * Read the whole message, record it, then close the connection without answering: the client
   * cannot know whether it was delivered. The message counts as received, as a real server may
   * well have delivered it.
   */
  dropAfterData?: boolean;
  /** Answer the message only once this promise settles (a test lets it go when it has seen enough). */
  holdUntil?: Promise<unknown>;
}

export interface ReceivedMessage {
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Envelope recipients (RCPT TO) that were accepted. */
  to: string[];
  /** The message as received (headers and body). */
  raw: string;
  /** Its Message-ID header, angle brackets included. */
  messageId?: string;
  /** The login the client used, if any. */
  user?: string;
  /** True when the connection was dropped instead of answering (dropAfterData). */
  unanswered: boolean;
  receivedAt: Date;
}

export interface FakeSmtp {
  host: string;
  port: number;
  /** Every accepted message, in arrival order. */
  messages: ReceivedMessage[];
  /** Sets (or with null clears) the rule for one recipient address (case-insensitive). */
  setRule(address: string, rule: FakeSmtpRule | null): void;
  /** Changes the required login (null: none required). */
  setAuth(credentials: FakeSmtpCredentials | null): void;
  /** How many times RCPT TO was tried for the address. */
  attempts(address: string): number;
  /** How many logins (AUTH) clients attempted, right or wrong. */
  readonly logins: number;
  /** Resolves once at least `count` messages were received. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  /** Forgets messages, rules and attempt counts. */
  reset(): void;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code });

export async function startFakeSmtp(options: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  let credentials = options.auth ?? null;
  const rules = new Map<string, FakeSmtpRule>();
  const tries = new Map<string, number>();
  const messages: ReceivedMessage[] = [];
  let waiters: (() => void)[] = [];
  let logins = 0;
  const ruleFor = (address: string) => rules.get(address.toLowerCase());

  const server: SMTPServer = new SMTPServer({
    logger: false,
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      logins++;
      if (
        !credentials ||
        (auth.username === credentials.username && auth.password === credentials.password)
      ) {
        return callback(null, { user: auth.username ?? 'anonymous' });
      }
      callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
    },
    onMailFrom(_address, session, callback) {
      if (credentials && !session.user) return callback(smtpError(530, '5.7.0 Authentication required'));
      callback();
    },
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      const attempt = (tries.get(to) ?? 0) + 1;
      tries.set(to, attempt);
      const rule = ruleFor(to);
      if (rule?.reject === 'permanent') {
        return callback(smtpError(rule.code ?? 550, rule.message ?? '5.1.1 user unknown'));
      }
      if (rule?.reject === 'transient' && attempt <= (rule.times ?? Infinity)) {
        return callback(
          smtpError(rule.code ?? 451, rule.message ?? '4.3.0 Temporary failure, try again later'),
        );
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const rules = to.map(ruleFor).filter((r): r is FakeSmtpRule => !!r);
        const delay = Math.max(0, ...rules.map((r) => r.delayMs ?? 0));
        const drop = rules.some((r) => r.dropAfterData);
        const raw = Buffer.concat(chunks).toString('utf8');
        const held = Promise.all(rules.map((r) => r.holdUntil ?? Promise.resolve())).catch(() => undefined);
        setTimeout(
          () =>
            void held.then(() => {
              messages.push({
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to,
                raw,
                messageId: /^message-id:\s*(<[^>]+>)/im.exec(raw.split(/\r?\n\r?\n/)[0])?.[1],
                user: typeof session.user === 'string' ? session.user : undefined,
                unanswered: drop,
                receivedAt: new Date(),
              });
              const w = waiters;
              waiters = [];
              w.forEach((f) => f());
              if (drop) return hangUp(session);
              callback(null, `2.0.0 Ok: queued as ${session.id}`);
            }),
          delay,
        );
      });
    },
  });

  function hangUp(session: SMTPServerSession) {
    for (const connection of server.connections) {
      if (connection.session?.id === session.id || connection.id === session.id) connection._socket.destroy();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as { port: number };

  return {
    host: '127.0.0.1',
    port,
    messages,
    setRule(address, rule) {
      if (rule) rules.set(address.toLowerCase(), rule);
      else rules.delete(address.toLowerCase());
    },
    setAuth(next) {
      credentials = next;
    },
    attempts: (address) => tries.get(address.toLowerCase()) ?? 0,
    get logins() {
      return logins;
    },
    waitForMessages(count, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`fake SMTP: ${messages.length} of ${count} messages after ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = () => {
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve(messages);
          } else waiters.push(check);
        };
        check();
      });
    },
    reset() {
      logins = 0;
      messages.length = 0;
      rules.clear();
      tries.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const connection of server.connections) connection._socket.destroy();
        server.close(() => resolve());
      }),
  };
}
