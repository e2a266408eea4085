import { randomBytes } from 'node:crypto';
import type { GraphQLClient } from '../support/graphql-client.js';

export interface Account {
  token: string;
  userId: string;
  email: string;
  org: string;
}

/** Signs up a new user through the API and creates an organization they own. */
export async function signUpWithOrg(api: GraphQLClient, label = 'user'): Promise<Account> {
  const email = `${label}-${randomBytes(3).toString('hex')}@example.com`;
  const { signUp } = await api
    .as({})
    .ok<{ signUp: { accessToken: string; user: { id: string } } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }`,
      { input: { email, password: 'correct-horse-battery', name: label } },
    );
  const { createOrganization } = await api
    .as({ token: signUp.accessToken })
    .ok<{ createOrganization: { id: string } }>(
      `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
      { input: { name: `${label} org` } },
    );
  return { token: signUp.accessToken, userId: signUp.user.id, email, org: createOrganization.id };
}
