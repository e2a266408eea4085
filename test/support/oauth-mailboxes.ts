import { randomBytes } from 'node:crypto';
import { CredentialsCipher } from '../../src/common/crypto/credentials-cipher.js';
import type { MailProviderType } from '../../src/generated/prisma/enums.js';
import { credentialsContext } from '../../src/providers/sender-account-credentials.js';
import { SenderAccountsService, type LoadedMailbox } from '../../src/providers/sender-accounts.service.js';
import type { TestApp } from './test-app.js';

/** An organization row, for tests that work below the API. */
export async function createOrganization(t: TestApp, name = 'org') {
  return t.prisma.db.organization.create({ data: { name: `${name}-${randomBytes(3).toString('hex')}` } });
}

/** Stores a connected mailbox with the given (encrypted) credentials and loads it as delivery would. */
export async function storeMailbox(
  t: TestApp,
  organizationId: string,
  provider: MailProviderType,
  email: string,
  credentials: Record<string, unknown>,
): Promise<LoadedMailbox> {
  const cipher = t.app.get(CredentialsCipher);
  const row = await t.prisma.db.senderAccount.create({
    data: {
      organizationId,
      provider,
      email,
      encryptedCredentials: cipher.encrypt(credentials, credentialsContext(organizationId)),
    },
  });
  return t.app.get(SenderAccountsService).loadMailbox(organizationId, row.id);
}

/** The credentials stored for a mailbox, decrypted. */
export async function storedCredentials(t: TestApp, organizationId: string, id: string) {
  return (await t.app.get(SenderAccountsService).loadMailbox(organizationId, id)).credentials;
}
