import { Header, applyDecorators } from '@nestjs/common';
import { DomainError, ErrorCode } from '@credence/errors';
import { RendersErrors } from '@credence/http';

export const SCIM_MEDIA_TYPE = 'application/scim+json; charset=utf-8';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 §3.12 scimType of each code that has one. */
const SCIM_TYPES: Partial<Record<ErrorCode, string>> = {
  'scim.invalid_filter': 'invalidFilter',
  'scim.invalid_syntax': 'invalidSyntax',
  'scim.invalid_value': 'invalidValue',
  'scim.invalid_path': 'invalidPath',
  'scim.no_target': 'noTarget',
  'scim.mutability': 'mutability',
  'scim.too_many': 'tooMany',
  'scim.uniqueness': 'uniqueness',
  'user.already_exists': 'uniqueness',
  'validation.failed': 'invalidValue',
  'request.malformed': 'invalidSyntax',
};

export function scimError(code: ErrorCode, detail?: string): DomainError {
  return new DomainError(code, detail);
}

/** Every error of a SCIM route, including those Fastify raises before the route runs, in the RFC 7644 §3.12 shape. */
export function renderScimError(error: DomainError): { status: number; headers: Record<string, string>; body: unknown } {
  const scimType = SCIM_TYPES[error.code];
  const issues = error.details?.map((d) => (d.field ? `${d.field}: ${d.issue}` : d.issue)).join('; ');
  const detail = issues ? `${error.message} ${issues}` : error.message;
  const headers: Record<string, string> = { 'content-type': SCIM_MEDIA_TYPE };
  if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="scim"';
  return { status: error.status, headers, body: { schemas: [ERROR_URN], status: String(error.status), ...(scimType ? { scimType } : {}), detail } };
}

/** A SCIM route: answers and errors in application/scim+json. */
export const ScimRoute = () => applyDecorators(RendersErrors(renderScimError), Header('content-type', SCIM_MEDIA_TYPE));
