/**
 * The aggregate an event is about: its CloudEvents `subject` and the outbox `aggregate`, which is
 * the ordering key downstream (one partition per aggregate, its events handled in order). Every
 * writer of an aggregate must build the same string, so each kind has one builder here.
 */
export const subjects = {
  tenant: (slug: string) => `tenant/${slug}`,
  /** A user, or `user/unknown` for an attempt that named no account. */
  user: (id: string | null | undefined) => `user/${id ?? 'unknown'}`,
  session: (id: string) => `session/${id}`,
  role: (id: string) => `role/${id}`,
  apiKey: (id: string) => `api_key/${id}`,
  serviceCredential: (id: string) => `service_credential/${id}`,
  /** An application (OAuth client) of a tenant, by its id (not its client_id). */
  application: (id: string) => `application/${id}`,
  /** A SCIM directory of a tenant. */
  scimDirectory: (id: string) => `scim_directory/${id}`,
  /** A connection (IdP) of a tenant. */
  connection: (id: string) => `connection/${id}`,
  /** A tenant's audit trail by slug, or the platform trail by PLATFORM_TENANT_ID. */
  auditTrail: (tenantSlugOrPlatform: string) => `audit/${tenantSlugOrPlatform}`,
  /** A tenant's retention runs by slug, or the platform's by PLATFORM_TENANT_ID. */
  retention: (tenantSlugOrPlatform: string) => `retention/${tenantSlugOrPlatform}`,
  /** A tenant's (or the platform's) webhook subscription. */
  webhook: (id: string) => `webhook/${id}`,
  /** A directory sync run of a tenant. */
  syncRun: (id: string) => `sync_run/${id}`,
  /** A sync conflict of a tenant. */
  syncConflict: (id: string) => `sync_conflict/${id}`,
  /** Detections without a user are about the source address. */
  ip: (ip: string | null | undefined) => `ip/${ip ?? 'unknown'}`,
} as const;
