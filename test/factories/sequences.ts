import type { GraphQLClient } from '../support/graphql-client.js';

export const SEQUENCE_FIELDS = `id name status currentVersion timezone senderAccountIds
  steps { key type nextStepKey yesStepKey noStepKey waitAmount waitUnit }
  versions { version publishedAt entryStepKey steps { key } }`;

export const CREATE_SEQUENCE = `mutation($i: CreateSequenceInput!) { createSequence(input: $i) { ${SEQUENCE_FIELDS} } }`;
export const UPDATE_SEQUENCE = `mutation($id: ID!, $i: UpdateSequenceInput!) { updateSequence(id: $id, input: $i) { ${SEQUENCE_FIELDS} } }`;
export const ENROLL = `mutation($i: EnrollContactsInput!) { enrollContacts(input: $i) { enrolled skipped skips { contactId email reason } } }`;

const email = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  type: 'EMAIL',
  subject: `${key}: hello {{ contact.firstName | default: "there" }}`,
  htmlBody: `<p>${key} from {{ sender.email }} for {{ sequence.name }}</p>`,
  ...extra,
});

/** The sequence: email → wait 2 business days → replied? no → follow-up (same thread) → wait 3 business days → last email. */
export const threeEmailSteps = () => [
  email('intro', { threadMode: 'NEW_THREAD' }),
  { key: 'wait-1', type: 'WAIT', waitAmount: 2, waitUnit: 'BUSINESS_DAYS' },
  {
    key: 'replied',
    type: 'CONDITION',
    condition: 'REPLIED',
    windowAmount: 0,
    windowUnit: 'MINUTES',
    yesStepKey: 'done',
    noStepKey: 'follow-up',
  },
  email('follow-up', { threadMode: 'SAME_THREAD' }),
  { key: 'wait-2', type: 'WAIT', waitAmount: 3, waitUnit: 'BUSINESS_DAYS' },
  email('last', { nextStepKey: 'done' }),
  { key: 'done', type: 'END' },
];

/** email → clicked within 2 business days? yes: thanks / no: nudge. */
export const clickedSteps = () => [
  email('intro'),
  {
    key: 'clicked',
    type: 'CONDITION',
    condition: 'CLICKED',
    windowAmount: 2,
    windowUnit: 'BUSINESS_DAYS',
    yesStepKey: 'thanks',
    noStepKey: 'nudge',
  },
  email('thanks', { nextStepKey: 'end' }),
  email('nudge'),
  { key: 'end', type: 'END' },
];

export const emailStep = email;

export async function createSequence(
  api: GraphQLClient,
  senderAccountIds: string[],
  extra: Record<string, unknown> = {},
) {
  const { createSequence } = await api.ok(CREATE_SEQUENCE, {
    i: { name: 'Outreach', senderAccountIds, timezone: 'Europe/Paris', steps: threeEmailSteps(), ...extra },
  });
  return createSequence as { id: string; status: string; currentVersion: number | null };
}

export async function activate(api: GraphQLClient, id: string) {
  return (await api.ok(`mutation($id: ID!) { activateSequence(id: $id) { status currentVersion } }`, { id }))
    .activateSequence;
}

/** A list of contacts spread over time zones (round-robin over `zones`), added through the API. */
export async function contactsInZones(
  api: GraphQLClient,
  count: number,
  zones: (string | null)[],
  prefix: string,
) {
  const { createContactList } = await api.ok(
    `mutation($i: CreateContactListInput!) { createContactList(input: $i) { id } }`,
    { i: { name: `${prefix} ${Date.now()}` } },
  );
  const contacts = Array.from({ length: count }, (_, k) => ({
    email: `${prefix}${k}@${prefix}-${k % 7}.example.com`,
    firstName: `F${k}`,
    ...(zones[k % zones.length] ? { timezone: zones[k % zones.length] } : {}),
  }));
  await api.ok(`mutation($i: AddContactsInput!) { addContacts(input: $i) { added } }`, {
    i: { listId: createContactList.id, contacts },
  });
  const page = await api.ok(
    `query($l: ID!) { contacts(listId: $l, first: 200) { edges { node { id email timezone } } } }`,
    { l: createContactList.id },
  );
  const ids = (page.contacts.edges as { node: { id: string; email: string; timezone: string | null } }[]).map(
    (e) => e.node,
  );
  return { listId: createContactList.id as string, contacts: ids };
}
