import { Provider, Type } from '@nestjs/common';
import { EraseUserHandler } from './commands/erase-user/erase-user.handler';
import { ErasureController } from './erasure.controller';

export const ERASURE_CONTROLLERS: Type[] = [ErasureController];
export const ERASURE_PROVIDERS: Provider[] = [EraseUserHandler];
