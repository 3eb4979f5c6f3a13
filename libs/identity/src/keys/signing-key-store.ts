import { Inject, Injectable, Logger } from '@nestjs/common';
import { createPrivateKey, createPublicKey, JsonWebKey, KeyObject } from 'node:crypto';
import { ActorSystem } from '@credence/actors';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext, TenantRef } from '@credence/context';
import { subjects } from '@credence/contracts';
import { KeyEncryption, newSigningKey } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { insertActiveKey } from './insert-active-key';

export interface SigningKey {
  kid: string;
  key: KeyObject;
  createdAt: Date;
}

export interface TenantKeys {
  /** Absent when this process cannot open the active key (it was sealed with another key-encryption key). */
  signing?: SigningKey;
  /** Every key a token of this tenant may be signed with: active and still-overlapping retiring ones. */
  verifying: Map<string, KeyObject>;
  loadedAt: number;
}

interface KeyRow {
  kid: string;
  public_jwk: JsonWebKey;
  private_key_enc: Buffer;
  /** Which key-encryption key sealed it (KeyEncryption.kekId). */
  kek_id: string;
  status: 'active' | 'retiring';
  created_at: Date;
}

const CACHE_MS = 60_000;
/**
 * Past CACHE_MS, cached keys are still served for this long while one reload runs in the background.
 * Tokens are issued inside the session's transaction, which holds a pooled connection: a reload
 * awaited there needs a second one, and with every pooled connection held that way the pool deadlocks.
 */
const STALE_SERVE_MS = 60_000;
/** An unknown kid triggers at most one reload per tenant in this window (a forged kid cannot hammer the database). */
const UNKNOWN_KID_RELOAD_MS = 5_000;
/** Retiring keys keep verifying for the longest access-token lifetime plus this margin. */
const OVERLAP_MARGIN_SECONDS = 60;
const MAX_ACCESS_TOKEN_TTL_SECONDS = 86_400;

/**
 * Per-tenant ES256 keys, decrypted once and cached as KeyObjects (node:crypto verifies with cached
 * KeyObjects about twice as fast as re-importing). Rotation keeps the old key verifying for a while.
 */
@Injectable()
export class SigningKeyStore {
  private readonly logger = new Logger(SigningKeyStore.name);
  private readonly cache = new Map<string, TenantKeys>();
  private readonly loading = new Map<string, Promise<TenantKeys>>();
  private readonly lastForcedReload = new Map<string, number>();
  private readonly rotating = new Map<string, Promise<unknown>>();

  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly context: RequestContext,
    private readonly encryption: KeyEncryption,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Keys of the ambient tenant. */
  async keysFor(tenant: TenantRef): Promise<TenantKeys> {
    const hit = this.cache.get(tenant.id);
    const age = hit ? Date.now() - hit.loadedAt : Infinity;
    if (age < CACHE_MS) return hit!;
    if (age < CACHE_MS + STALE_SERVE_MS) {
      if (!this.loading.has(tenant.id)) this.load(tenant).catch((err) => this.logger.warn(`background reload of ${tenant.slug}'s keys failed: ${(err as Error).message}`));
      return hit!;
    }
    return this.load(tenant);
  }

  /** The key the tenant's tokens are signed with (signingKeyOf). */
  async signingKeyFor(tenant: TenantRef): Promise<SigningKey> {
    return signingKeyOf(await this.keysFor(tenant));
  }

  /** The public key for a kid, reloading once if the kid is new (another process may have rotated). */
  async verifyingKey(tenant: TenantRef, kid: string): Promise<KeyObject | undefined> {
    const keys = await this.keysFor(tenant);
    const found = keys.verifying.get(kid);
    if (found) return found;
    const last = this.lastForcedReload.get(tenant.id) ?? 0;
    if (Date.now() - last < UNKNOWN_KID_RELOAD_MS) return undefined;
    this.lastForcedReload.set(tenant.id, Date.now());
    return (await this.load(tenant)).verifying.get(kid);
  }

  /** Makes a new active key; the previous one keeps verifying until every token it signed has expired. */
  async rotate(tenant: TenantRef, onlyIfOlderThanSeconds?: number): Promise<{ kid: string; retired: string[] }> {
    const key = await newSigningKey(this.encryption, tenant.id);
    const result = await this.actors.send({ kind: 'signing-keys', tenantId: tenant.id, id: 'keys' }, async (uow) => {
      if (onlyIfOlderThanSeconds !== undefined) {
        // Another process may have rotated meanwhile: rotate by age once, not once per process.
        const [fresh] = await uow.query<{ kid: string }[]>(`SELECT kid FROM signing_keys WHERE status = 'active' AND created_at > now() - make_interval(secs => $1)`, [
          onlyIfOlderThanSeconds,
        ]);
        if (fresh) return { kid: fresh.kid, retired: [] };
      }
      const retired = await uow.query<{ kid: string }[]>(
        `UPDATE signing_keys SET status = 'retiring', retire_after = now() + make_interval(secs => $1)
          WHERE status = 'active' RETURNING kid`,
        [MAX_ACCESS_TOKEN_TTL_SECONDS + OVERLAP_MARGIN_SECONDS],
      );
      await insertActiveKey(uow, key);
      await uow.query(`UPDATE signing_keys SET status = 'retired' WHERE status = 'retiring' AND retire_after <= now()`);
      uow.emit('auth.signing_key.rotated', subjects.tenant(tenant.slug), { tenant_id: tenant.id, kid: key.kid, previous: retired.map((r) => r.kid) });
      return { kid: key.kid, retired: retired.map((r) => r.kid) };
    });
    this.cache.delete(tenant.id);
    return result;
  }

  /** Rotates when the active key is older than the configured age; called on the issuing path, cheap otherwise. */
  /**
   * Starts a rotation in the background when the active key is past its age; this signature still uses
   * it (it stays valid). Never awaited on the issuing path: that runs inside a session's transaction,
   * and a second transaction awaited there could wait for a pooled connection forever.
   */
  rotateIfOld(tenant: TenantRef, keys: TenantKeys): void {
    const maxAgeSeconds = this.config.SIGNING_KEY_ROTATE_AFTER_DAYS * 86_400;
    // A key this process cannot open is not rotated here: that would replace the tenant's key for every installation.
    if (!keys.signing || Date.now() - keys.signing.createdAt.getTime() < maxAgeSeconds * 1000 || this.rotating.has(tenant.id)) return;
    const rotation = this.rotate(tenant, maxAgeSeconds)
      .catch((err) => this.logger.warn(`rotating ${tenant.slug}'s signing key failed: ${(err as Error).message}`))
      .finally(() => this.rotating.delete(tenant.id));
    this.rotating.set(tenant.id, rotation);
  }

  private load(tenant: TenantRef): Promise<TenantKeys> {
    const pending = this.loading.get(tenant.id);
    if (pending) return pending;
    const work = this.context
      .runWith({ tenant }, () =>
        this.runner.queryInTenant<KeyRow[]>(
          `SELECT kid, public_jwk, private_key_enc, kek_id, status, created_at FROM signing_keys
            WHERE status = 'active' OR (status = 'retiring' AND retire_after > now()) ORDER BY created_at DESC`,
        ),
      )
      .then((rows) => this.toKeys(tenant, rows))
      .finally(() => this.loading.delete(tenant.id));
    this.loading.set(tenant.id, work);
    return work;
  }

  private toKeys(tenant: TenantRef, rows: KeyRow[]): TenantKeys {
    const active = rows.find((r) => r.status === 'active');
    if (!active) throw new Error(`tenant ${tenant.slug} has no active signing key`);
    const keys: TenantKeys = {
      signing: this.open(tenant, active),
      verifying: new Map(rows.map((r) => [r.kid, createPublicKey({ key: r.public_jwk, format: 'jwk' })])),
      loadedAt: Date.now(),
    };
    this.cache.set(tenant.id, keys);
    return keys;
  }

  /**
   * The active key's private half. A key sealed with another CREDENCE_KEY_ENCRYPTION_KEY than this
   * process has (a misconfigured deployment, or two installations sharing one database) cannot be
   * opened: the tenant's tokens still verify with its public keys, but it cannot sign new ones until
   * the right key is configured, and the operator is told so (once per reload, CACHE_MS).
   */
  private open(tenant: TenantRef, active: KeyRow): SigningKey | undefined {
    try {
      const der = this.encryption.decrypt(active.private_key_enc, `${tenant.id}:${active.kid}`);
      return { kid: active.kid, key: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), createdAt: active.created_at };
    } catch {
      const sealedWith = active.kek_id === this.encryption.kekId ? 'the same key id (the sealed key is damaged)' : `key id ${active.kek_id}`;
      this.logger.error(
        `tenant ${tenant.slug}: its signing key ${active.kid} cannot be opened with this CREDENCE_KEY_ENCRYPTION_KEY (key id ${this.encryption.kekId}); it was sealed with ${sealedWith}. ` +
          'The tenant cannot sign tokens until the key-encryption key it was sealed with is configured.',
      );
      return undefined;
    }
  }
}

/** The key to sign the tenant's tokens with, or tenant.keys_unreadable when this process cannot open it. */
export function signingKeyOf(keys: TenantKeys): SigningKey {
  if (!keys.signing) throw new DomainError('tenant.keys_unreadable');
  return keys.signing;
}
