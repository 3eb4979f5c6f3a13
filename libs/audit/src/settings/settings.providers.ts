import { Provider, Type } from '@nestjs/common';

export const SETTINGS_CONTROLLERS: Type[] = [];
export const SETTINGS_PROVIDERS: Provider[] = [];
