export * from './oauth.module';
export * from './applications/application-clients';
export * from './applications/redirect-uris';
export * from './interactions/interaction';
export * from './interactions/interaction-store';
export * from './interactions/complete-interaction/complete-interaction';
export * from './federation/federated-login';
