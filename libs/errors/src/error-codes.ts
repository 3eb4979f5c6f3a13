/**
 * The closed list of error codes. docs/errors.md documents each one; a spec checks the two agree.
 */
export type ErrorCategory = 'bad_input' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'unavailable' | 'internal';

export const CATEGORY_STATUS: Record<ErrorCategory, number> = {
  bad_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

interface CodeSpec {
  category: ErrorCategory;
  /** Overrides the category's usual HTTP status. */
  status?: number;
  message: string;
}

export const ERROR_CODES = {
  'validation.failed': { category: 'bad_input', message: 'The request is not valid.' },
  'request.malformed': { category: 'bad_input', message: 'The request body could not be parsed.' },
  'request.too_large': { category: 'bad_input', status: 413, message: 'The request body is too large.' },
  'request.unsupported_media_type': { category: 'bad_input', status: 415, message: 'Send the body as application/json.' },
  'route.not_found': { category: 'not_found', message: 'No route matches this method and path.' },
  'auth.missing_credentials': { category: 'unauthenticated', message: 'Send an Authorization: Bearer header.' },
  'auth.invalid_credentials': { category: 'unauthenticated', message: 'The credentials are not valid.' },
  'auth.insufficient_scope': { category: 'forbidden', message: 'The credentials do not allow this operation.' },
  'auth.rate_limited': { category: 'rate_limited', message: 'Too many requests; retry later.' },
  'auth.token.invalid': { category: 'unauthenticated', message: 'The access token is not valid here.' },
  'auth.token.expired': { category: 'unauthenticated', message: 'The token has expired.' },
  'auth.token.reuse_detected': { category: 'unauthenticated', message: 'This refresh token was already used; the session has been revoked.' },
  'auth.session.revoked': { category: 'unauthenticated', message: 'The session has been revoked or has expired.' },
  'auth.account.locked': { category: 'forbidden', status: 423, message: 'The account is locked after too many failed attempts; try again later.' },
  'auth.account.disabled': { category: 'forbidden', message: 'The account is disabled.' },
  'auth.otp.invalid': { category: 'bad_input', message: 'The code is not valid.' },
  'auth.otp.expired': { category: 'bad_input', message: 'The code has expired or was used up; request a new one.' },
  'auth.invitation.invalid': { category: 'bad_input', message: 'The invitation is not valid, has expired or was already used.' },
  'auth.invalid_client': { category: 'unauthenticated', message: 'The service credential is not valid.' },
  'authz.access.denied': { category: 'forbidden', message: 'You are not allowed to do this.' },
  'user.not_found': { category: 'not_found', message: 'No such user.' },
  'user.already_exists': { category: 'conflict', message: 'A user with this e-mail, username or phone exists.' },
  'user.last_admin': { category: 'conflict', message: 'This would leave the tenant without an active tenant admin.' },
  'user.not_invited': { category: 'conflict', message: 'Only a user who is still invited can be invited again.' },
  'user.password_rejected': { category: 'bad_input', message: "The password does not meet the tenant's policy." },
  'role.not_found': { category: 'not_found', message: 'No such role.' },
  'role.already_exists': { category: 'conflict', message: 'A role with this name exists.' },
  'role.builtin': { category: 'conflict', message: 'Built-in roles cannot be renamed or deleted.' },
  'session.not_found': { category: 'not_found', message: 'No such session.' },
  'service_credential.not_found': { category: 'not_found', message: 'No such service credential.' },
  'application.not_found': { category: 'not_found', message: 'No such application.' },
  'application.not_confidential': { category: 'conflict', message: 'Only confidential applications have a client secret.' },
  'connection.not_found': { category: 'not_found', message: 'No such connection.' },
  'connection.domain_taken': { category: 'conflict', message: 'Another connection of the tenant already owns this domain.' },
  'webhook.not_found': { category: 'not_found', message: 'No such webhook.' },
  'webhook.delivery_not_found': { category: 'not_found', message: 'No such delivery of this webhook.' },
  'webhook.url_refused': { category: 'bad_input', message: 'Credence does not deliver to this URL.' },
  'webhook.disabled': { category: 'conflict', message: 'The webhook is disabled; enable it first.' },
  'federation.outbound_refused': { category: 'bad_input', message: 'Credence does not fetch from this address.' },
  'federation.ldap_unavailable': { category: 'unavailable', message: 'The directory cannot be reached; try again later.' },
  'federation.secrets_unreadable': { category: 'internal', message: "The connection's secrets cannot be opened." },
  'oauth.interaction_expired': { category: 'bad_input', message: 'This sign-in has expired or was finished in another tab; start again from the application.' },
  'sync.run_not_found': { category: 'not_found', message: 'No such sync run.' },
  'sync.conflict_not_found': { category: 'not_found', message: 'No such sync conflict.' },
  'sync.conflict_resolved': { category: 'conflict', message: 'This conflict is already resolved.' },
  'sync.duplicate_external_id': { category: 'bad_input', message: 'The batch names this external_id more than once; none of its records was applied.' },
  'sync.connection_not_ldap': { category: 'bad_input', message: 'Only an LDAP connection can be synced; this connection is SAML or OIDC.' },
  'sync.run_in_progress': { category: 'conflict', message: 'A sync run of this connection is still going; wait for it to end (GET /sync/runs/{sync_id}).' },
  'sync.disable_share_exceeded': {
    category: 'conflict',
    message: "The run would disable more of the source's users than its max_disable_share allows; nothing was changed. Send force: true to go ahead.",
  },
  'directory.not_found': { category: 'not_found', message: 'No such SCIM directory.' },
  'scim.invalid_token': { category: 'unauthenticated', message: 'The bearer token is not a SCIM directory token of this tenant.' },
  'scim.invalid_filter': { category: 'bad_input', message: 'The filter is not valid SCIM filter syntax, or names an attribute that cannot be filtered.' },
  'scim.invalid_syntax': { category: 'bad_input', message: 'The request is not a valid SCIM request.' },
  'scim.invalid_value': { category: 'bad_input', message: 'A value is missing or not valid for its attribute.' },
  'scim.invalid_path': { category: 'bad_input', message: 'The PATCH path is not valid or names an attribute that cannot be changed.' },
  'scim.no_target': { category: 'bad_input', message: 'The PATCH path matched nothing.' },
  'scim.mutability': { category: 'bad_input', message: 'The request changes an attribute that cannot be changed.' },
  'scim.too_many': { category: 'bad_input', message: 'The filter matches more resources than the server scans; narrow it.' },
  'scim.uniqueness': { category: 'conflict', message: 'Another resource has this unique value.' },
  'scim.not_found': { category: 'not_found', message: 'No such SCIM resource in this directory.' },
  'scim.precondition_failed': { category: 'conflict', status: 412, message: 'The resource changed since the version in If-Match.' },
  'api_key.not_found': { category: 'not_found', message: 'No such API key.' },
  'api_key.immutable': { category: 'conflict', message: 'The bootstrap key follows CREDENCE_ADMIN_KEY; change that instead.' },
  'tenant.not_found': { category: 'not_found', message: 'No such tenant.' },
  'tenant.exists': { category: 'conflict', message: 'A tenant with this slug exists or existed.' },
  'tenant.domain_taken': { category: 'conflict', message: 'A domain is already claimed by another tenant.' },
  'tenant.suspended': { category: 'forbidden', message: 'The tenant is suspended.' },
  'tenant.invalid_state': { category: 'conflict', message: 'The tenant is not in a state that allows this.' },
  'tenant.provisioning_failed': { category: 'internal', message: 'The tenant could not be provisioned; nothing was kept.' },
  'tenant.context_missing': { category: 'internal', message: 'No tenant in context.' },
  'tenant.keys_unreadable': { category: 'internal', message: "The tenant's signing key cannot be opened." },
  'service.unavailable': { category: 'unavailable', message: 'A backing service is unavailable.' },
  internal: { category: 'internal', message: 'Something went wrong on our side.' },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function statusOf(code: ErrorCode): number {
  const spec: CodeSpec = ERROR_CODES[code];
  return spec.status ?? CATEGORY_STATUS[spec.category];
}
