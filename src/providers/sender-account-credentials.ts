/** Credentials are bound to their organization: a ciphertext copied to another tenant's row fails. */
export const credentialsContext = (organizationId: string) => `sender-account:${organizationId}`;
