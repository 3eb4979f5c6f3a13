import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsObject, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { OptionalField } from '@credence/http';

export const CONNECTION_TYPES = ['saml', 'oidc', 'ldap'] as const;
export const MAX_DOMAINS = 50;
export const MAX_RULES = 100;
export const MAX_DEFAULT_ROLES = 50;
const NO_CONTROL = /^[^\p{Cc}]+$/u;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const ROLE_NAME = /^[a-z][a-z0-9_-]{0,99}$/;

/** One line of text: 1..max characters, no control characters. */
export const TextField = (max: number) =>
  applyDecorators(IsString(), Length(1, max), Matches(NO_CONTROL, { message: ({ property }) => `${property} must not contain control characters` }));

const lower = Transform(({ value }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v)) : value));

/** E-mail domains of the tenant that the connection owns (home-realm discovery, linking). */
export const DomainsField = () =>
  applyDecorators(
    lower,
    IsArray(),
    ArrayMaxSize(MAX_DOMAINS),
    ArrayUnique(),
    IsString({ each: true }),
    Matches(DOMAIN, { each: true, message: 'each of domains must be a domain name such as acme.example' }),
  );

export const RoleNamesField = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(MAX_DEFAULT_ROLES),
    ArrayUnique(),
    IsString({ each: true }),
    Matches(ROLE_NAME, { each: true, message: 'each role must be a role name' }),
  );

export class JitDto {
  @ApiProperty({ description: 'Create a user at the first sign-in of an unknown subject.' })
  @IsBoolean()
  enabled: boolean;

  @ApiProperty({ type: [String], example: ['employee'], description: 'Role names of the tenant given to users it creates.' })
  @RoleNamesField()
  default_roles: string[];
}

export class AttributeMappingDto {
  @ApiPropertyOptional({ example: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' })
  @OptionalField()
  @TextField(200)
  email?: string;

  @ApiPropertyOptional() @OptionalField() @TextField(200) given_name?: string;
  @ApiPropertyOptional() @OptionalField() @TextField(200) family_name?: string;
  @ApiPropertyOptional() @OptionalField() @TextField(200) groups?: string;
}

export class GroupRoleRuleDto {
  @ApiProperty({ description: "A group's name (SAML/OIDC value, LDAP cn) or its full LDAP DN.", example: 'engineering' })
  @TextField(1000)
  group: string;

  @ApiProperty({ example: 'developer' })
  @IsString()
  @Matches(ROLE_NAME, { message: 'role must be a role name' })
  role: string;
}

export const NestedField = (cls: () => new () => object) => applyDecorators(IsObject(), ValidateNested(), Type(cls));

export const RulesField = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(MAX_RULES),
    ValidateNested({ each: true }),
    IsObject({ each: true }),
    Type(() => GroupRoleRuleDto),
  );

export const UrlField = () =>
  applyDecorators(IsString(), Length(1, 2000), Matches(/^[\x21-\x7e]+$/, { message: ({ property }) => `${property} must be an absolute URL in ASCII` }));
