/** Tests run through ts-jest against the real sources; sandboxes run in-process on loopback ports. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  // Two, one per core. Three were tried (the suite is half waiting: 10.4 min of CPU in 7.5 min of wall time against
  // 10 min in 9.6 with two), but under that contention a fleet test's teardown overran its hook timeout in one run
  // of four: a red CI lands nothing, so the faster suite is not worth the flake.
  maxWorkers: 2,
  // The longest suites first, so the workers finish together (test/sequencer.js).
  testSequencer: '<rootDir>/test/sequencer.js',
};
