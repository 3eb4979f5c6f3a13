import type { ApplicationClient, ApplicationClients } from '../applications/application-clients';
import type { FederatedLogin, LoginConnection } from '../federation/federated-login';
import type { Interaction } from '../interactions/interaction';
import type { InteractionStore } from '../interactions/interaction-store';
import { CsrfMismatch, HostedLogin } from './hosted-login';

const OKTA: LoginConnection = { id: 'okta', type: 'oidc', name: 'Okta' };
const ADFS: LoginConnection = { id: 'adfs', type: 'saml', name: 'ADFS' };

const interaction = { id: 'i-1', clientId: 'cac_x', csrf: 'token-of-the-interaction' } as Interaction;

/** Home-realm discovery and the CSRF check, with a federation that owns two domains. */
function hostedLogin(allowed: readonly string[] | null): HostedLogin {
  const federation: FederatedLogin = {
    connectionsFor: async (ids) => [OKTA, ADFS].filter((c) => ids === null || ids.includes(c.id)),
    connectionForDomain: async (domain) => ({ 'okta.example': OKTA, 'adfs.example': ADFS })[domain],
    start: async (_i, c) => `https://idp.example/${c.id}`,
  };
  const store = { load: async (id: string, cookie?: string) => (id === 'i-1' && cookie === 'c' ? interaction : undefined) } as unknown as InteractionStore;
  const apps = { find: async () => ({ connections: allowed }) as ApplicationClient } as unknown as ApplicationClients;
  return new HostedLogin(store, apps, federation);
}

describe('HostedLogin', () => {
  it('sends an e-mail of a federated domain to its connection, case-insensitively', async () => {
    expect(await hostedLogin(null).homeRealm(interaction, ' Ada@OKTA.example ')).toEqual(OKTA);
    expect(await hostedLogin(null).homeRealm(interaction, 'ada@elsewhere.example')).toBeUndefined();
    expect(await hostedLogin(null).homeRealm(interaction, 'ada')).toBeUndefined();
  });

  it('signs in locally when the app may not use the connection that owns the domain', async () => {
    expect(await hostedLogin(['adfs']).homeRealm(interaction, 'ada@okta.example')).toBeUndefined();
    expect(await hostedLogin(['adfs']).homeRealm(interaction, 'ada@adfs.example')).toEqual(ADFS);
    expect(await hostedLogin([]).connections(interaction)).toEqual([]);
  });

  it('opens a form only with the interaction of this browser and its exact CSRF token', async () => {
    const hosted = hostedLogin(null);
    await expect(hosted.openForm({ interaction: 'i-1', csrf: 'token-of-the-interaction' }, 'c')).resolves.toBe(interaction);
    await expect(hosted.openForm({ interaction: 'i-1', csrf: 'token-of-the-interactioN' }, 'c')).rejects.toBeInstanceOf(CsrfMismatch);
    await expect(hosted.openForm({ interaction: 'i-1', csrf: '' }, 'c')).rejects.toBeInstanceOf(CsrfMismatch);
    await expect(hosted.openForm({ interaction: 'i-1', csrf: 'token-of-the-interaction' }, 'other')).rejects.toMatchObject({ code: 'oauth.interaction_expired' });
  });
});
