// Lint rules. The pure core (policy, sigv4, protocol) may not import Node built-ins or I/O
// libraries: hashing and time are passed in (STYLE.md section 1).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pureCore = {
  patterns: [
    { group: ['node:*', 'fs', 'path', 'crypto', 'http', 'net', 'os'], message: 'pure core: pass I/O in' },
    { group: ['fastify', 'better-sqlite3', 'pg', '**/store/**', '**/server/**'], message: 'pure core' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/**', 'data/**', 'console/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/policy/**/*.ts', 'src/sigv4/**/*.ts', 'src/protocol/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', pureCore] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
