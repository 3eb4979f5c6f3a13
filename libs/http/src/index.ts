export * from './error.filter';
export * from './openapi';
export * from './validation';
export * from './optional';
export * from './api-errors';
export * from './pagination';
export * from './strict-iso-date';
export * from './input-guards';
