/** Tests run through ts-jest against the real sources; sandboxes run in-process on loopback ports. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  maxWorkers: 2,
  // The longest suites first, so two workers finish together (test/sequencer.js).
  testSequencer: '<rootDir>/test/sequencer.js',
};
