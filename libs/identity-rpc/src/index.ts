export * from './access-check/access-checker';
export * from './identity-rpc.module';
export * from './token-validate/token-validator';
