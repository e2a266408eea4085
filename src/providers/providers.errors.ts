import { badInput, conflict, notFound } from '../common/errors/domain-error.js';
import type { MailProviderType } from '../generated/prisma/enums.js';

/** The errors of the providers context, as clients see them. */
export const providerNotAvailable = (type: MailProviderType) =>
  badInput('provider', `${type} mailboxes are not available yet`);

export const senderAccountNotFound = (id: string) => notFound('Sender account', id);

export const senderAccountTaken = (email: string, type: MailProviderType) =>
  conflict(`A ${type} mailbox for ${email} is already connected`, { field: 'email' });

export const smtpSettingsRequired = () => badInput('smtp', 'SMTP mailboxes need the smtp settings');

export const smtpSettingsUnexpected = (type: MailProviderType) =>
  badInput('smtp', `smtp settings only apply to SMTP mailboxes, not ${type}`);

/** `reason` must be the engine's own words (describeCheckFailure), never a server's reply. */
export const credentialsRefused = (field: string, reason: string) =>
  badInput(field, `The mailbox could not be verified: ${reason}`);

export const oauthNotConfigured = (type: MailProviderType, settings: string) =>
  badInput('provider', `${type} mailboxes are not configured on this server: set ${settings}`);

export const oauthOnly = (type: MailProviderType) =>
  badInput('provider', `${type} mailboxes connect through OAuth (GMAIL or MICROSOFT only)`);

export const oauthTokenRequired = (type: MailProviderType) =>
  badInput(
    'oauth',
    `${type} mailboxes need oauth.refreshToken here, or connect through senderAccountAuthorizationUrl`,
  );

export const oauthTokenUnexpected = (type: MailProviderType) =>
  badInput('oauth', `oauth settings only apply to GMAIL and MICROSOFT mailboxes, not ${type}`);

export const tokenForAnotherMailbox = (email: string) =>
  badInput('email', `The refresh token belongs to ${email}, not to the address given`);
