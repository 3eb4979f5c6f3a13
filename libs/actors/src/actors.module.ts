import { Global, Module } from '@nestjs/common';
import { ActorSystem } from './actor-system';

@Global()
@Module({ providers: [ActorSystem], exports: [ActorSystem] })
export class ActorsModule {}
