import { AppConfig, DEFAULT_DATABASE_URL } from './app-config';
import { parseConfig } from './config.schema';
import { loadOrCreateDevSecret, makeAdminKey, makeEncryptionKey } from './dev-secrets';
import { Environment, readEnvironment } from './environment';

export interface LoadedConfig {
  config: AppConfig;
  /** Lines to tell the operator at start-up (generated secrets and where they live). */
  notices: string[];
}

export function loadConfig(env: Environment = readEnvironment()): LoadedConfig {
  const raw = parseConfig(env);
  const notices: string[] = [];
  let adminKey = raw.CREDENCE_ADMIN_KEY;
  if (!adminKey) {
    const secret = loadOrCreateDevSecret(raw.CREDENCE_DATA_DIR, 'admin-key', makeAdminKey);
    adminKey = secret.value;
    notices.push(
      secret.created
        ? `Generated a development platform admin key and stored it in ${secret.path}: ${secret.value}`
        : `Using the development platform admin key stored in ${secret.path}: ${secret.value}`,
    );
  }
  const kek = raw.CREDENCE_KEY_ENCRYPTION_KEY ?? loadOrCreateDevSecret(raw.CREDENCE_DATA_DIR, 'key-encryption-key', makeEncryptionKey).value;
  const config: AppConfig = {
    ...raw,
    DATABASE_URL: raw.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    CREDENCE_BASE_URL: (raw.CREDENCE_BASE_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, ''),
    CREDENCE_ADMIN_KEY: adminKey,
    CREDENCE_KEY_ENCRYPTION_KEY: kek,
  };
  return { config, notices };
}
