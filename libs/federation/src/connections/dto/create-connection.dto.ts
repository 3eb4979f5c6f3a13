import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn } from 'class-validator';
import { OptionalField } from '@credence/http';
import type { ConnectionType } from '../connection';
import { AttributeMappingDto, CONNECTION_TYPES, DomainsField, GroupRoleRuleDto, JitDto, NestedField, RulesField, TextField } from './connection-fields';
import { LdapInputDto } from './ldap-input.dto';
import { OidcInputDto } from './oidc-input.dto';
import { SamlInputDto } from './saml-input.dto';

export class CreateConnectionDto {
  @ApiProperty({ enum: CONNECTION_TYPES, description: 'Fixed at creation.' })
  @IsIn(CONNECTION_TYPES, { message: 'type must be saml, oidc or ldap' })
  type: ConnectionType;

  @ApiProperty({ example: 'Acme Entra ID', maxLength: 200 })
  @TextField(200)
  name: string;

  @ApiPropertyOptional({ type: [String], example: ['acme.example'], description: "At most 50, each one of the tenant's domains, owned by one connection only." })
  @OptionalField()
  @DomainsField()
  domains?: string[];

  @ApiPropertyOptional({ default: true }) @OptionalField() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional({ type: JitDto }) @OptionalField() @NestedField(() => JitDto) jit?: JitDto;

  @ApiPropertyOptional({ type: AttributeMappingDto }) @OptionalField() @NestedField(() => AttributeMappingDto) attribute_mapping?: AttributeMappingDto;

  @ApiPropertyOptional({ type: [GroupRoleRuleDto], description: 'At most 100 rules.' })
  @OptionalField()
  @RulesField()
  group_role_mapping?: GroupRoleRuleDto[];

  @ApiPropertyOptional({ type: SamlInputDto }) @OptionalField() @NestedField(() => SamlInputDto) saml?: SamlInputDto;
  @ApiPropertyOptional({ type: OidcInputDto }) @OptionalField() @NestedField(() => OidcInputDto) oidc?: OidcInputDto;
  @ApiPropertyOptional({ type: LdapInputDto }) @OptionalField() @NestedField(() => LdapInputDto) ldap?: LdapInputDto;
}
