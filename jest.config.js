/** Two projects: unit tests sit next to their code; integration tests start real processes. */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] };

module.exports = {
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
