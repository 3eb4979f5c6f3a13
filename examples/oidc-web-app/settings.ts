/** The example's settings, from the environment (see README.md). */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required (see examples/oidc-web-app/README.md)`);
  return value;
}

const port = Number(process.env.PORT ?? 4000);

export const settings = {
  /** The tenant's issuer, e.g. http://localhost:3000/v1/t/acme (discovery is <issuer>/.well-known/openid-configuration). */
  issuer: new URL(required('CREDENCE_ISSUER')),
  clientId: required('CLIENT_ID'),
  /** Absent: a public client (PKCE only, no client authentication). */
  clientSecret: process.env.CLIENT_SECRET || undefined,
  port,
  /** Loopback unless told otherwise: a demo holding signed-in sessions should not answer the whole network. */
  host: process.env.HOST ?? '127.0.0.1',
  /** Where browsers reach this app; redirect URIs derive from it and must be registered exactly. */
  appUrl: (process.env.APP_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
};
