import { TestApp } from '@credence/testing';

/**
 * A SCIM client that sends what Entra ID and Okta send, request by request, as their provisioning
 * documentation shows it:
 * - Microsoft Learn, "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
 *   (the request/response examples of its "User operations" and "Group operations" sections, and the
 *   string booleans of its non-compliant `active` replace);
 * - Okta Developer, "SCIM 2.0 protocol reference" / "Build a SCIM provisioning integration" (lookup
 *   by `userName eq` with startIndex/count, create, PUT updates, `replace` without a path to deactivate,
 *   group rename with the id in the value, `members` add and `members[value eq "..."]` remove).
 */
export class ScimClient {
  constructor(
    private readonly t: TestApp,
    private readonly slug: string,
    private readonly token: string,
  ) {}

  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return this.t.call(method, `/v1/t/${this.slug}/scim/v2${path}`, body, {
      auth: this.token,
      headers: { accept: 'application/scim+json', ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}), ...headers },
    });
  }
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Entra ID's create-user request (its documented example, with our names). */
export function entraUser(userName: string, externalId: string) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId,
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
  };
}

/** Okta's create-user request (its documented example, password included: Credence does not take it). */
export function oktaUser(userName: string) {
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    groups: [],
    password: '1mz050nq',
    active: true,
  };
}
