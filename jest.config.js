/** Unit specs sit next to the code (*.spec.ts); integration and e2e specs under test/ (*.e2e-spec.ts, *.int-spec.ts). */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/**/*.{e2e,int}-spec.ts'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest'] },
  // ESM-only dependencies that jest cannot require(); swc turns them into CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|openid-client|oauth4webapi|jose)/)'],
  moduleNameMapper: {
    '^@credence/(.*)$': '<rootDir>/libs/$1/src',
    '^@migrations/(.*)$': '<rootDir>/migrations/$1',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
