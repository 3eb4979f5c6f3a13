import { PageError } from '../pages/page-error';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '@credence/errors';
import { ApplicationClients } from '../applications/application-clients';
import { FEDERATED_LOGIN, FederatedLogin, LoginConnection, NO_FEDERATION } from '../federation/federated-login';
import type { Interaction } from '../interactions/interaction';
import { InteractionStore } from '../interactions/interaction-store';
import { domainOf } from './login-form';

/** A form whose CSRF token is not the interaction's: the page answers 403 and does nothing. */
export class CsrfMismatch extends PageError {
  constructor() {
    super(403, 'The form could not be verified. It may be from an older page.');
  }
}

/** Constant-time comparison of the posted token with the interaction's. */
function sameToken(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * What the hosted login page needs around a sign-in in progress, for the tenant in context: the
 * interaction of this browser, the CSRF check of its forms, the connections its app may use, and
 * home-realm discovery.
 */
@Injectable()
export class HostedLogin {
  constructor(
    private readonly interactions: InteractionStore,
    private readonly applications: ApplicationClients,
    @Optional() @Inject(FEDERATED_LOGIN) private readonly boundFederation?: FederatedLogin,
  ) {}

  /** Federation's binding, or no connections at all when this process has no federation. */
  private get federation(): FederatedLogin {
    return this.boundFederation ?? NO_FEDERATION;
  }

  /** The interaction, when this browser (its binding cookie) started it and it has not expired or completed. */
  async open(interactionId: string | undefined, bindingCookie: string | undefined): Promise<Interaction> {
    const interaction = await this.interactions.load(interactionId, bindingCookie);
    if (!interaction) throw new DomainError('oauth.interaction_expired');
    return interaction;
  }

  /** Like open, for a posted form: the form must also carry the interaction's CSRF token. */
  async openForm(form: { interaction: string; csrf: string }, bindingCookie: string | undefined): Promise<Interaction> {
    const interaction = await this.open(form.interaction, bindingCookie);
    if (!sameToken(interaction.csrf, form.csrf)) throw new CsrfMismatch();
    return interaction;
  }

  /** Enabled connections the interaction's app may use (none while no federation is bound). */
  async connections(interaction: Interaction): Promise<LoginConnection[]> {
    const app = await this.applications.find(interaction.clientId);
    if (!app) throw new DomainError('oauth.interaction_expired'); // the app was deleted meanwhile
    return this.federation.connectionsFor(app.connections);
  }

  /**
   * Home-realm discovery: the connection that owns the e-mail's domain, when the app may use it. A
   * domain owned by a connection the app may not use signs in locally, as if it had none.
   */
  async homeRealm(interaction: Interaction, identifier: string): Promise<LoginConnection | undefined> {
    if (!identifier.includes('@')) return undefined;
    const owner = await this.federation.connectionForDomain(domainOf(identifier.trim().toLowerCase()));
    if (!owner) return undefined;
    const allowed = await this.connections(interaction);
    return allowed.find((c) => c.id === owner.id);
  }

  /** Where the browser goes to sign in at this connection. */
  start(interaction: Interaction, connection: LoginConnection): Promise<string> {
    return this.federation.start(interaction, connection);
  }
}
