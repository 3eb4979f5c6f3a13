import { AppConfig, EVENTS_SETTING_NAMES, parseConfig } from '@credence/config';

/** The event-delivery part of the validated configuration (libs/config/src/events.schema.ts). */
export type EventsConfig = Pick<AppConfig, (typeof EVENTS_SETTING_NAMES)[number]>;
export const EVENTS_CONFIG = Symbol('EVENTS_CONFIG');

/** For code outside a Nest app (benchmarks, scripts): the same validation as at boot. */
export function loadEventsConfig(env: Record<string, string | undefined>): EventsConfig {
  return parseConfig(env);
}
