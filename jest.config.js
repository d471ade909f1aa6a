/** Jest runs TypeScript through @swc/jest (no type-checking here: `npm test` runs `tsc --noEmit` first). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: false }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Loaded on first use instead of with cdktf's index (see the file).
  moduleNameMapper: { '^archiver$': '<rootDir>/__tests__/support/lazy-archiver.js' },
  globalSetup: '<rootDir>/__tests__/support/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.js',
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/setup.ts'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
