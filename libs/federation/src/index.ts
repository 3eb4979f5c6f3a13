export * from './federation.module';
export * from './connections/connection';
export * from './connections/connection-store';
export * from './users/federated-identity';
export * from './users/federated-sign-in';
export * from './login/login-starters';
export * from './login/federation-login.module';
export * from './connections/sp-credentials';
