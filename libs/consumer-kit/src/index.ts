/** What a service consuming Credence imports: transport, event types, token guard, idempotency. */
export * from '@credence/contracts';
export * from '@credence/redis-streams-transport';
export * from './consumer-kit.module';
export * from './idempotency/idempotency';
export * from './tokens/access-token-verifier';
export * from './tokens/credence-token.guard';
export * from './tokens/jwks-cache';
export * from './tokens/revocation-check';
export * from './tokens/token-rejected';
export * from './tokens/verified-signatures';
export * from './webhooks/verify-webhook';
export * from './webhooks/webhook.guard';
