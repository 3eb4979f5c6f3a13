export * from './crypto.module';
export * from './key-encryption';
export * from './password-hasher';
export * from './secret-token';
export * from './semaphore';
export * from './signing-key';
