/** Tests share one PostgreSQL (embedded or server) and reset it per file, so they run in band. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  globalSetup: '<rootDir>/test/helpers/globalSetup.ts',
  globalTeardown: '<rootDir>/test/helpers/globalTeardown.ts',
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/helpers/summaryReporter.js'],
  testTimeout: 30000,
};
