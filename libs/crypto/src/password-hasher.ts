import { Inject, Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { Semaphore } from './semaphore';

/** argon2id with OWASP parameters by default (m = 19 MiB, t = 2, p = 1); lower only in tests. */
@Injectable()
export class PasswordHasher {
  private readonly gate: Semaphore;
  private readonly options: { algorithm: Algorithm; memoryCost: number; timeCost: number; parallelism: number };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.gate = new Semaphore(config.ARGON2_MAX_CONCURRENCY);
    this.options = { algorithm: Algorithm.Argon2id, memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST, parallelism: 1 };
  }

  hash(password: string): Promise<string> {
    return this.gate.run(() => hash(password, this.options));
  }

  verify(hashed: string, password: string): Promise<boolean> {
    return this.gate.run(() => verify(hashed, password));
  }
}
