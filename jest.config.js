/** Two projects: unit tests sit next to their code; integration tests start real processes. */
// Transpile only (types are checked once by `npm run typecheck`), so suites start fast.
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

module.exports = {
  testSequencer: '<rootDir>/integration-tests/helpers/sequencer.js',
  projects: [
    {
      displayName: 'unit',
      transform,
      testEnvironment: 'node',
      roots: ['<rootDir>/broker', '<rootDir>/admin-cli', '<rootDir>/scripts'],
      testMatch: ['**/*.test.ts'],
    },
    {
      displayName: 'integration',
      transform,
      testEnvironment: 'node',
      roots: ['<rootDir>/integration-tests'],
      testMatch: ['**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/integration-tests/helpers/setup.ts'],
    },
  ],
};
