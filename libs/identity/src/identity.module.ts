import { Module } from '@nestjs/common';
import { JwksController } from './keys/jwks.controller';

/** Users, roles, keys and sign-in for tenants. Grows with the identity issue. */
@Module({ controllers: [JwksController] })
export class IdentityModule {}
