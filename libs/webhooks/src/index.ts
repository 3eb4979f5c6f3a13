export * from './webhooks.module';
export * from './signing/signature';
export * from './signing/webhook-secrets';
export * from './delivery/event-filter';
export { eventOwners, PLATFORM_OWNER } from './scope/webhook-units';
