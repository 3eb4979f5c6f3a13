import { ApiProperty } from '@nestjs/swagger';
import type { UserData } from '@credence/contracts';

export type UserStatus = 'invited' | 'active' | 'disabled';

export class UserResponse {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty({ nullable: true, type: String }) username: string | null;
  @ApiProperty({ nullable: true, type: String }) display_name: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'E.164' }) phone: string | null;
  @ApiProperty({ enum: ['invited', 'active', 'disabled'] }) status: UserStatus;
  @ApiProperty({ type: Object, example: { department: 'sales' } }) attributes: Record<string, unknown>;
  @ApiProperty({ type: [String], description: 'Names of the roles held directly.' }) roles: string[];
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export interface UserRow {
  id: string;
  email: string;
  username: string | null;
  display_name: string | null;
  phone: string | null;
  status: UserStatus;
  attributes: Record<string, unknown>;
  roles: string[];
  created_at: Date;
  updated_at: Date;
}

export const USER_SELECT = `
  SELECT u.id, u.email, u.username, u.display_name, u.phone, u.status, u.attributes, u.created_at, u.updated_at,
         coalesce((SELECT array_agg(r.name ORDER BY r.rank NULLS LAST, r.name) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                    WHERE ur.user_id = u.id), '{}') AS roles
    FROM users u`;

export function toUserResponse(r: UserRow): UserResponse {
  return {
    id: r.id,
    email: r.email,
    username: r.username,
    display_name: r.display_name,
    phone: r.phone,
    status: r.status,
    attributes: r.attributes ?? {},
    roles: r.roles,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

/** Event payload: who, never how they sign in. */
export function userEventData(r: Pick<UserRow, 'id' | 'email' | 'username' | 'status'>): UserData {
  return { user_id: r.id, email: r.email, username: r.username, status: r.status };
}
