import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DevSecret {
  value: string;
  path: string;
  created: boolean;
}

/**
 * Outside production, a missing secret is generated once and kept in the data folder
 * (mode 0600) so restarts keep working with the same admin key and key-encryption key.
 */
export function loadOrCreateDevSecret(dataDir: string, name: string, make: () => string): DevSecret {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  if (existsSync(path)) return { value: readFileSync(path, 'utf8').trim(), path, created: false };
  const value = make();
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  return { value, path, created: true };
}

export const makeAdminKey = () => `crd_admin_${randomBytes(32).toString('base64url')}`;
export const makeEncryptionKey = () => randomBytes(32).toString('base64');
