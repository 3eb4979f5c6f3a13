import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { sha256 } from '@credence/crypto';
import { ADMIN_SCOPES } from '../auth/admin-scopes';

/** Keeps the bootstrap key row in step with CREDENCE_ADMIN_KEY (or the generated development key). */
@Injectable()
export class BootstrapAdminKey implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO platform.api_keys (id, name, secret_hash, scopes, bootstrap, created_by)
       VALUES ($1, 'bootstrap', $2, $3, true, 'config')
       ON CONFLICT (bootstrap) WHERE bootstrap DO UPDATE SET secret_hash = EXCLUDED.secret_hash, scopes = EXCLUDED.scopes, revoked_at = NULL`,
      [uuidv7(), sha256(this.config.CREDENCE_ADMIN_KEY), [...ADMIN_SCOPES]],
    );
  }
}
