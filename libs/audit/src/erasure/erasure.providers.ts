import { Provider, Type } from '@nestjs/common';

export const ERASURE_CONTROLLERS: Type[] = [];
export const ERASURE_PROVIDERS: Provider[] = [];
