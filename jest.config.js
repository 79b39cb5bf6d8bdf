/** Tests run through ts-jest against the real sources; sandboxes run in-process on loopback ports. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  // Three on two cores: the suite is half waiting (child daemons, paced sandboxes, outages), 10 min of CPU in 9.6 min
  // of wall time with two workers; with three, 10.4 min of CPU in 7.5 min.
  maxWorkers: 3,
  // The longest suites first, so the workers finish together (test/sequencer.js).
  testSequencer: '<rootDir>/test/sequencer.js',
};
