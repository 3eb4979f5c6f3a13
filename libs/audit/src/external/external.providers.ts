import { Provider, Type } from '@nestjs/common';
import { RecordExternalEventHandler } from './commands/record-external-event/record-external-event.handler';
import { ExternalEventsController } from './external-events.controller';

export const EXTERNAL_CONTROLLERS: Type[] = [ExternalEventsController];
export const EXTERNAL_PROVIDERS: Provider[] = [RecordExternalEventHandler];
