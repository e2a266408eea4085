import type { GraphQLClient } from '../support/graphql-client.js';

/** A list with `count` contacts, added through the API. */
export async function listWithContacts(api: GraphQLClient, count: number, prefix = 'contact') {
  const { createContactList } = await api.ok(
    `mutation($i: CreateContactListInput!) { createContactList(input: $i) { id } }`,
    {
      i: { name: `${prefix} list ${Date.now()}` },
    },
  );
  for (let start = 0; start < count; start += 1000) {
    const contacts = Array.from({ length: Math.min(1000, count - start) }, (_, k) => ({
      email: `${prefix}${start + k}@example.com`,
      firstName: (start + k) % 2 ? `First${start + k}` : undefined,
    }));
    await api.ok(`mutation($i: AddContactsInput!) { addContacts(input: $i) { added } }`, {
      i: { listId: createContactList.id, contacts },
    });
  }
  return createContactList.id as string;
}

export async function sandboxMailbox(api: GraphQLClient, name: string, extra: Record<string, unknown> = {}) {
  const { connectSenderAccount } = await api.ok(
    `mutation($i: ConnectSenderAccountInput!) { connectSenderAccount(input: $i) { id email } }`,
    { i: { provider: 'SANDBOX', email: `${name}@sandbox.example.com`, dailyCap: 10000, ...extra } },
  );
  return connectSenderAccount as { id: string; email: string };
}

export const CREATE_CAMPAIGN = `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id status } }`;

export function campaignInput(
  senderAccountIds: string[],
  listIds: string[],
  extra: Record<string, unknown> = {},
) {
  return {
    name: 'Launch',
    subject: 'Hello {{ contact.firstName | default: "there" }}',
    htmlBody: '<p>Hi {{ contact.firstName | default: "there" }}, meet {{ sender.email }}.</p>',
    senderAccountIds,
    listIds,
    ...extra,
  };
}

export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function smtpMailbox(
  api: GraphQLClient,
  name: string,
  smtp: { host: string; port: number; password?: string },
  extra: Record<string, unknown> = {},
) {
  const { connectSenderAccount } = await api.ok(
    `mutation($i: ConnectSenderAccountInput!) { connectSenderAccount(input: $i) { id email } }`,
    {
      i: {
        provider: 'SMTP',
        email: `${name}@smtp.example.com`,
        dailyCap: 10000,
        smtp: {
          host: smtp.host,
          port: smtp.port,
          secure: false,
          username: 'mailer',
          password: smtp.password ?? 'secret-pass',
          // The fake server offers no TLS; the test app must also allow-list its port.
          allowInsecureAuth: true,
        },
        ...extra,
      },
    },
  );
  return connectSenderAccount as { id: string; email: string };
}
