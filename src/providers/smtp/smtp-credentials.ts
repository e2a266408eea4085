/** What an SMTP mailbox stores (encrypted) in `SenderAccount.encryptedCredentials`. */
export interface SmtpCredentials {
  host: string;
  port: number;
  secure: boolean;
  username?: string;
  password?: string;
  /** Keep connections open between sends. */
  pool: boolean;
  /** Authenticate even when the connection is not encrypted (a trusted network only). */
  allowInsecureAuth: boolean;
}

/** Reads SMTP credentials back from their decrypted JSON; throws when they are not SMTP settings. */
export function parseSmtpCredentials(raw: Record<string, unknown>): SmtpCredentials {
  const { host, port, secure, username, password, pool, allowInsecureAuth } = raw;
  if (typeof host !== 'string' || typeof port !== 'number') {
    throw new Error('The mailbox has no SMTP host and port');
  }
  return {
    host,
    port,
    secure: secure === true,
    username: typeof username === 'string' ? username : undefined,
    password: typeof password === 'string' ? password : undefined,
    pool: pool !== false,
    allowInsecureAuth: allowInsecureAuth === true,
  };
}
