import { RawConfig } from './config.schema';

/** Validated configuration, resolved for this process (secrets present, URLs final). */
export interface AppConfig extends RawConfig {
  DATABASE_URL: string;
  CREDENCE_BASE_URL: string;
  CREDENCE_KEY_ENCRYPTION_KEY: string;
  CREDENCE_ADMIN_KEY: string;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
export const DEFAULT_DATABASE_URL = 'postgres://postgres@localhost:5432/credence';
