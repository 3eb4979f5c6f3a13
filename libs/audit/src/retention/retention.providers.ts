import { Provider, Type } from '@nestjs/common';

export const RETENTION_CONTROLLERS: Type[] = [];
export const RETENTION_PROVIDERS: Provider[] = [];
