import { Provider, Type } from '@nestjs/common';
import { UpdateSettingsHandler } from './commands/update-settings/update-settings.handler';
import { GetSettingsHandler } from './queries/get-settings/get-settings.handler';
import { SettingsController } from './settings.controller';

export const SETTINGS_CONTROLLERS: Type[] = [SettingsController];
export const SETTINGS_PROVIDERS: Provider[] = [UpdateSettingsHandler, GetSettingsHandler];
