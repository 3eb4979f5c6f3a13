import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { KeyEncryption } from './key-encryption';
import { PasswordHasher } from './password-hasher';

@Global()
@Module({
  providers: [PasswordHasher, { provide: KeyEncryption, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new KeyEncryption(c.CREDENCE_KEY_ENCRYPTION_KEY) }],
  exports: [PasswordHasher, KeyEncryption],
})
export class CryptoModule {}
