export * from './core.module';
export * from './create-app';
export * from './start';
export * from './migrate-command';
