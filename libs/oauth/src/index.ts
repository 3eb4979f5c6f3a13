export * from './oauth.module';
export * from './applications/application-clients';
export * from './applications/redirect-uris';
