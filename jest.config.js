/** Jest runs TypeScript through @swc/jest (no type-checking here: `npm test` runs `tsc --noEmit` alongside, scripts/test.mjs). */
module.exports = {
  // jest's node environment, compiling each module once per worker rather than once per file (see the file).
  testEnvironment: '<rootDir>/__tests__/support/environment.js',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // The example projects have their own package.json and node_modules (installed by the pack test).
  modulePathIgnorePatterns: ['<rootDir>/examples/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: false }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Loaded on first use instead of with cdktf's index (see the file).
  moduleNameMapper: { '^archiver$': '<rootDir>/__tests__/support/lazy-archiver.js' },
  globalSetup: '<rootDir>/__tests__/support/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.js',
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/setup.ts'],
  // One worker per core: jest's default (cores - 1) runs everything in one process on a 2-core
  // machine, leaving a core idle whenever that process is not waiting for a child.
  maxWorkers: '100%',
  // A worker that grew past this after a file is replaced: every spawn (terraform, validators,
  // scripts) copies the parent's page tables, so a bloated worker makes each one slower.
  workerIdleMemoryLimit: '800MB',
  // The slowest files first (see the file).
  testSequencer: '<rootDir>/__tests__/support/sequencer.js',
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
