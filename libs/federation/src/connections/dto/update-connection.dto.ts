import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { OptionalField } from '@credence/http';
import { AttributeMappingDto, DomainsField, GroupRoleRuleDto, JitDto, NestedField, RulesField, TextField } from './connection-fields';
import { LdapPatchDto } from './ldap-input.dto';
import { OidcPatchDto } from './oidc-input.dto';
import { SamlInputDto } from './saml-input.dto';

/**
 * Partial update: a list or object given replaces the stored one. The type's own object (saml, oidc or
 * ldap) is merged field by field; a SAML IdP source given replaces the IdP settings. `type` cannot change.
 */
export class UpdateConnectionDto {
  @ApiPropertyOptional() @OptionalField() @TextField(200) name?: string;
  @ApiPropertyOptional({ type: [String] }) @OptionalField() @DomainsField() domains?: string[];
  @ApiPropertyOptional() @OptionalField() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ type: JitDto }) @OptionalField() @NestedField(() => JitDto) jit?: JitDto;
  @ApiPropertyOptional({ type: AttributeMappingDto }) @OptionalField() @NestedField(() => AttributeMappingDto) attribute_mapping?: AttributeMappingDto;
  @ApiPropertyOptional({ type: [GroupRoleRuleDto] }) @OptionalField() @RulesField() group_role_mapping?: GroupRoleRuleDto[];
  @ApiPropertyOptional({ type: SamlInputDto }) @OptionalField() @NestedField(() => SamlInputDto) saml?: SamlInputDto;
  @ApiPropertyOptional({ type: OidcPatchDto }) @OptionalField() @NestedField(() => OidcPatchDto) oidc?: OidcPatchDto;
  @ApiPropertyOptional({ type: LdapPatchDto }) @OptionalField() @NestedField(() => LdapPatchDto) ldap?: LdapPatchDto;
}
