import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { IssuedInvitation, reissueInvitation } from '@credence/identity';
import { schemaNameFor, TenantStore, TenantTransactionRunner } from '@credence/tenancy';
import { ReissueInvitationCommand } from './reissue-invitation.command';

/**
 * A new invitation for a tenant's user who is still `invited`: the way back for a tenant whose first
 * admin's token expired (7 days) or was lost, which no one in the tenant could otherwise sign in to fix.
 */
@CommandHandler(ReissueInvitationCommand)
export class ReissueInvitationHandler implements ICommandHandler<ReissueInvitationCommand, IssuedInvitation> {
  constructor(
    private readonly tenants: TenantStore,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
  ) {}

  async execute(cmd: ReissueInvitationCommand): Promise<IssuedInvitation> {
    const tenant = await this.tenants.findBySlug(cmd.slug);
    if (!tenant || tenant.status === 'provisioning') throw new DomainError('tenant.not_found');
    if (tenant.status !== 'active') throw new DomainError('tenant.invalid_state', `Cannot invite to a tenant that is ${tenant.status}.`);
    const ref = { id: tenant.id, slug: tenant.slug, schema: schemaNameFor(tenant.id) };
    return this.context.runWith({ tenant: ref }, () => this.runner.inTenant((uow) => reissueInvitation(uow, cmd.email)));
  }
}
