// Lint rules, including Samsa's layering (DESIGN.md "Import rules"), enforced per folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ZOOKEEPER = { group: ['zookeeper'], message: 'Only broker/src/zk/client.ts may import zookeeper.' };
const API_SERVER = { group: ['**/api', '**/api/**', '**/server', '**/server/**'], message: 'Nothing imports api/ or server/.' };
const COMPRESSION = {
  group: ['zlib', 'node:zlib', 'snappy', 'lz4-napi', 'lz4', '@bokuweb/zstd-wasm', 'zstd-napi', '@mongodb-js/zstd'],
  message: 'Only broker/src/protocol/records imports compression libraries.',
};
const OUTSIDE_PROTOCOL = {
  group: ['**/common', '**/common/**', '**/log/**', '**/zk/**', '**/network/**', '**/cluster/**', '**/replica/**', '**/controller/**', '**/coordinator/**', '**/metadata/**', '**/admin/**', '**/security/**', '**/metrics/**'],
  message: 'protocol/ is sans-io and imports nothing internal.',
};
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const PROTOCOL = 'broker/src/protocol/**/*.ts';
const RECORDS = 'broker/src/protocol/records/**/*.ts';
const ZK_CLIENT = 'broker/src/zk/client.ts';
const TOP = ['broker/src/main.ts', 'broker/src/api/**/*.ts', 'broker/src/server/**/*.ts'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', '.scratch/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.ts'], ignores: [PROTOCOL, ZK_CLIENT, ...TOP], rules: restrict(ZOOKEEPER, API_SERVER, COMPRESSION) },
  { files: [PROTOCOL], ignores: [RECORDS], rules: restrict(ZOOKEEPER, API_SERVER, COMPRESSION, OUTSIDE_PROTOCOL) },
  { files: [RECORDS], rules: restrict(ZOOKEEPER, API_SERVER, OUTSIDE_PROTOCOL) },
  { files: [ZK_CLIENT], rules: restrict(API_SERVER, COMPRESSION) },
  { files: TOP, rules: restrict(ZOOKEEPER, COMPRESSION) },
  // The admin tools load their heavy parts on demand with `require(…) as typeof import(…)`: they run
  // under tsx's synchronous CommonJS hook, where import() of a .ts file does not resolve, and tsx's
  // ESM loader thread would add ~200 ms to every start (`--help` has a 500 ms budget).
  { files: ['admin-cli/src/tools/*.ts'], ignores: ['**/*.test.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
