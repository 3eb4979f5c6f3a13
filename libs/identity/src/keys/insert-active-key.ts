import type { NewSigningKey } from '@credence/crypto';
import type { UnitOfWork } from '@credence/tenancy';

/** Stores a new key (private part already encrypted) as the tenant's active signing key. */
export async function insertActiveKey(uow: UnitOfWork, key: NewSigningKey): Promise<void> {
  await uow.query(`INSERT INTO signing_keys (kid, alg, public_jwk, private_key_enc, kek_id, status) VALUES ($1, $2, $3, $4, $5, 'active')`, [
    key.kid,
    key.alg,
    JSON.stringify(key.publicJwk),
    key.privateKeyEnc,
    key.kekId,
  ]);
}
