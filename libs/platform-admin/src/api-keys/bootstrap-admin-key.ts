import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ADMIN_SCOPES, ApiKeyStore } from '@credence/access';
import { APP_CONFIG, AppConfig } from '@credence/config';

/** Keeps the bootstrap key row in step with CREDENCE_ADMIN_KEY (or the generated development key). */
@Injectable()
export class BootstrapAdminKey implements OnApplicationBootstrap {
  constructor(
    private readonly keys: ApiKeyStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.keys.syncBootstrap(this.config.CREDENCE_ADMIN_KEY, [...ADMIN_SCOPES]);
  }
}
