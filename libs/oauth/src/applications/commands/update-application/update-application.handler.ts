import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { TenantTransactionRunner } from '@credence/tenancy';
import { APPLICATION_COLUMNS, applicationActor, applicationEventData, ApplicationRow, getApplication } from '../../application-row';
import { ApplicationResponse, toApplicationResponse } from '../../dto/application.response';
import { RedirectUriPolicy } from '../../redirect-uri-policy';
import { ApplicationChanges, UpdateApplicationCommand } from './update-application.command';

const FIELDS = ['name', 'redirect_uris', 'post_logout_redirect_uris', 'connections', 'initiate_login_uri'] as const;

/** Fields whose given value differs from the stored one; lists compare in order, as they are shown. */
function changedFields(current: ApplicationRow, changes: ApplicationChanges): (typeof FIELDS)[number][] {
  return FIELDS.filter((f) => changes[f] !== undefined && JSON.stringify(changes[f]) !== JSON.stringify(current[f]));
}

/**
 * Read, decide and write in the application's actor, on the row locked FOR UPDATE: concurrent PATCHes
 * of one application apply one after another, each on the result of the previous, so none is lost.
 */
@CommandHandler(UpdateApplicationCommand)
export class UpdateApplicationHandler implements ICommandHandler<UpdateApplicationCommand, ApplicationResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly uris: RedirectUriPolicy,
  ) {}

  async execute(cmd: UpdateApplicationCommand): Promise<ApplicationResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const row = await this.actors.send(applicationActor(tenant.id, cmd.id), async (uow) => {
      const current = await getApplication(uow, cmd.id, 'FOR UPDATE');
      this.uris.assertValid(
        current.type,
        { redirect_uris: cmd.changes.redirect_uris, post_logout_redirect_uris: cmd.changes.post_logout_redirect_uris },
        cmd.changes.initiate_login_uri,
      );
      const changed = changedFields(current, cmd.changes);
      if (!changed.length) return current;
      const next = { ...current, ...Object.fromEntries(changed.map((f) => [f, cmd.changes[f]])) } as ApplicationRow;
      const [updated] = await uow.query<ApplicationRow[]>(
        `UPDATE applications SET name = $2, redirect_uris = $3, post_logout_redirect_uris = $4, connections = $5, initiate_login_uri = $6, updated_at = now()
          WHERE id = $1 RETURNING ${APPLICATION_COLUMNS}`,
        [cmd.id, next.name, next.redirect_uris, next.post_logout_redirect_uris, next.connections, next.initiate_login_uri],
      );
      uow.emit('application.updated', subjects.application(cmd.id), { ...applicationEventData(updated), changed });
      return updated;
    });
    return toApplicationResponse(row);
  }
}
