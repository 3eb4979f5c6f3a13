import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import type { Interaction } from '@credence/oauth';
import type { Connection } from '../connections/connection';
import type { LoginStarter } from '../login/login-starters';

/**
 * A directory has no sign-in page of its own: an LDAP connection's sign-in starts at the hosted
 * page's directory form, which asks for the directory password (and sends it to the bind only).
 */
@Injectable()
export class LdapLoginStarter implements LoginStarter {
  readonly type = 'ldap' as const;

  constructor(private readonly context: RequestContext) {}

  async start(interaction: Interaction, connection: Connection): Promise<string> {
    const query = new URLSearchParams({ interaction: interaction.id, connection: connection.id });
    return `/v1/t/${this.context.requireTenant().slug}/login/ldap?${query}`;
  }
}
