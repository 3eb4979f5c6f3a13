export * from './context.module';
export * from './request-context';
