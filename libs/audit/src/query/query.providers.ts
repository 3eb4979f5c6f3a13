import { Provider, Type } from '@nestjs/common';

export const QUERY_CONTROLLERS: Type[] = [];
export const QUERY_PROVIDERS: Provider[] = [];
