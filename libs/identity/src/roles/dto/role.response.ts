import { ApiProperty } from '@nestjs/swagger';
import type { RoleRow } from '../role-row';

export class RoleResponse {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'auditor' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Default tiers only: a tier includes the permissions of every lower rank. Null for custom roles.' })
  rank: number | null;
  @ApiProperty({ type: [String], example: ['audit.read:any'], description: 'resource.action:scope, scope any, self or department. Own permissions only.' })
  permissions: string[];
  @ApiProperty({ description: 'Default tiers cannot be renamed or deleted; their default permissions stay.' }) builtin: boolean;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export function toRoleResponse(r: RoleRow): RoleResponse {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    rank: r.rank,
    permissions: r.permissions,
    builtin: r.builtin,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}
