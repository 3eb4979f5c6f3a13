import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TenantTransactionRunner } from '@credence/tenancy';
import { ATTRIBUTE_SCOPES, isAttributeScope } from '../../../authz/permission';
import { Page, pageOf } from '@credence/http';
import { toUserResponse, USER_SELECT, UserResponse, UserRow } from '../../dto/user.response';
import { ListUsersQuery } from './list-users.query';

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery, Page<UserResponse>> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: ListUsersQuery): Promise<Page<UserResponse>> {
    this.runner.assertAmbientTenant(q.tenantId);
    const params: unknown[] = [];
    const where: string[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (q.after) where.push(`u.id > ${param(q.after)}`);
    if (q.filter.status) where.push(`u.status = ${param(q.filter.status)}`);
    if (q.filter.role) {
      where.push(`EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = ${param(q.filter.role)})`);
    }
    if (q.filter.text) {
      const p = param(likePattern(q.filter.text));
      where.push(`(u.email ILIKE ${p} OR u.username ILIKE ${p} OR u.display_name ILIKE ${p})`);
    }
    const reach = this.reachOf(q, param);
    if (reach) where.push(reach);
    const sql = `${USER_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY u.id LIMIT ${param(q.limit + 1)}`;
    const rows = await this.runner.queryInTenant<UserRow[]>(sql, params);
    return pageOf(rows, q.limit, toUserResponse);
  }

  /** The users a caller without `user.read:any` may see: themselves (self) and those sharing a scoped attribute. */
  private reachOf(q: ListUsersQuery, param: (v: unknown) => string): string | undefined {
    const { scopes, subject } = q.access;
    if (scopes.includes('any')) return undefined;
    const parts: string[] = [];
    if (scopes.includes('self') && subject) parts.push(`u.id = ${param(subject.userId)}`);
    for (const scope of scopes.filter(isAttributeScope)) {
      const key = ATTRIBUTE_SCOPES[scope];
      const mine = subject?.attributes[key];
      if (typeof mine !== 'string' || !mine.length) continue;
      const k = param(key);
      parts.push(`(jsonb_typeof(u.attributes -> ${k}) = 'string' AND u.attributes ->> ${k} = ${param(mine)})`);
    }
    return parts.length ? `(${parts.join(' OR ')})` : 'false';
  }
}
