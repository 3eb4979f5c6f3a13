import { MAX_COUNT } from '../list/list-request';
import { ENTERPRISE_URN, GROUP_URN, USER_URN } from '../scim-schemas';

const SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** RFC 7644 §5: what this server supports. */
export function serviceProviderConfig(base: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/credence/credence/blob/main/docs/scim.md',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Directory bearer token', description: 'The token POST /v1/t/{tenant}/directories answered with.', primary: true }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: USER_URN,
      schemaExtensions: [{ schema: ENTERPRISE_URN, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: GROUP_URN,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

type Attr = { name: string; type?: string; multiValued?: boolean; required?: boolean; caseExact?: boolean; mutability?: string; uniqueness?: string; subAttributes?: Attr[] };

function attr(a: Attr): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type ?? 'string',
    multiValued: a.multiValued ?? false,
    required: a.required ?? false,
    caseExact: a.caseExact ?? false,
    mutability: a.mutability ?? 'readWrite',
    returned: 'default',
    uniqueness: a.uniqueness ?? 'none',
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attr) } : {}),
  };
}

const USER_SCHEMA = [
  { name: 'userName', required: true, uniqueness: 'server' },
  { name: 'externalId', caseExact: true },
  { name: 'displayName' },
  { name: 'name', type: 'complex', subAttributes: [{ name: 'givenName' }, { name: 'familyName' }, { name: 'formatted' }] },
  { name: 'title' },
  { name: 'userType' },
  { name: 'active', type: 'boolean' },
  { name: 'emails', type: 'complex', multiValued: true, subAttributes: [{ name: 'value' }, { name: 'type' }, { name: 'primary', type: 'boolean' }] },
  {
    name: 'groups',
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      { name: 'value', mutability: 'readOnly' },
      { name: 'display', mutability: 'readOnly' },
    ],
  },
];
const ENTERPRISE_SCHEMA = [
  { name: 'employeeNumber' },
  { name: 'department' },
  { name: 'costCenter' },
  { name: 'organization' },
  { name: 'division' },
  { name: 'manager', type: 'complex', subAttributes: [{ name: 'value', caseExact: true }] },
];
const GROUP_SCHEMA = [
  { name: 'displayName', required: true, uniqueness: 'server' },
  { name: 'externalId', caseExact: true },
  {
    name: 'members',
    type: 'complex',
    multiValued: true,
    subAttributes: [
      { name: 'value', caseExact: true },
      { name: 'display', mutability: 'readOnly' },
    ],
  },
];

export function schemas(base: string) {
  const schema = (id: string, name: string, attributes: Attr[]) => ({
    schemas: [SCHEMA_URN],
    id,
    name,
    attributes: attributes.map(attr),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
  });
  return [schema(USER_URN, 'User', USER_SCHEMA), schema(ENTERPRISE_URN, 'EnterpriseUser', ENTERPRISE_SCHEMA), schema(GROUP_URN, 'Group', GROUP_SCHEMA)];
}
