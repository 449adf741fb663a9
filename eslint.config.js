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

// Layering (STYLE.md section 1): imports point downward only. For each folder of src/, the folders it
// may import (types only where marked). Everything else under src/ is refused, so a wrong import
// fails `npm test` (test/package/layering.test.ts shows it). Tests may import anything.
const FOLDERS = [
  'core',
  'errors',
  'policy',
  'sigv4',
  'protocol',
  'credentials',
  'store',
  'config',
  'federation',
  'domain',
  'api',
  'authn',
  'authz',
  'audit',
  'explain',
  'analysis',
  'accounts',
  'iam',
  'sts',
  'organizations',
  'gateway',
  'imds',
  'devmode',
  'console',
  'server',
  'cli',
];
// FOLDERS is ordered lowest layer first: everything before the handlers is below them.
const BELOW_HANDLERS = FOLDERS.slice(0, FOLDERS.indexOf('iam'));
const LAYERS = {
  core: { may: [] },
  errors: { may: ['core'] },
  policy: { may: ['core', 'errors'] },
  sigv4: { may: ['core', 'errors'] },
  protocol: { may: ['core', 'errors'] },
  // Session tokens seal the principal model's claims (a type).
  credentials: { may: ['core', 'errors'], types: ['domain'] },
  store: { may: ['core', 'errors'] },
  config: { may: ['core', 'errors'] },
  federation: { may: ['core', 'errors', 'credentials'] },
  // The handler contract (api/) is a type the domain's session minting takes.
  domain: { may: ['core', 'errors', 'policy', 'store', 'credentials'], types: ['api'] },
  api: { may: ['core', 'errors', 'policy', 'store', 'domain'], types: ['federation', 'authn', 'protocol'] },
  authn: { may: ['core', 'errors', 'sigv4', 'credentials', 'store', 'config', 'domain', 'api'] },
  authz: { may: ['core', 'errors', 'policy', 'store', 'domain', 'api'] },
  audit: { may: ['core', 'errors', 'policy', 'store', 'domain', 'api'] },
  explain: { may: ['core', 'errors', 'policy', 'store', 'domain', 'api', 'audit'] },
  analysis: { may: ['core', 'errors', 'policy', 'store', 'domain', 'api', 'audit', 'explain', 'authz'] },
  accounts: { may: ['core', 'errors', 'policy', 'credentials', 'store', 'config', 'domain', 'api', 'authn'] },
  // Handlers: anything below them, never each other, never the server.
  iam: { may: BELOW_HANDLERS },
  sts: { may: BELOW_HANDLERS },
  organizations: { may: BELOW_HANDLERS },
  gateway: { may: BELOW_HANDLERS },
  imds: {
    may: ['core', 'errors', 'policy', 'credentials', 'store', 'config', 'domain', 'api', 'audit', 'sts'],
  },
  devmode: { may: [...BELOW_HANDLERS, 'iam', 'sts', 'organizations'] },
  console: { may: [...BELOW_HANDLERS, 'iam', 'sts', 'organizations', 'server'] },
  server: { may: FOLDERS.filter((f) => f !== 'cli') },
  cli: { may: FOLDERS },
};
/** Only the server (and the composition root) talks HTTP; the console is a fastify plugin the server mounts. */
const HTTP_FRAMEWORK = ['server', 'console'];

function layerRule(folder) {
  const { may, types = [] } = LAYERS[folder];
  const refused = FOLDERS.filter((f) => f !== folder && !may.includes(f));
  const patterns = [];
  const hard = refused.filter((f) => !types.includes(f));
  if (hard.length > 0)
    patterns.push({
      group: [...hard.map((f) => `**/${f}/**`), '**/main.js'],
      message: `layering (STYLE.md section 1): ${folder}/ may import only ${may.join(', ') || 'nothing'}`,
    });
  if (types.length > 0)
    patterns.push({
      group: types.map((f) => `**/${f}/**`),
      allowTypeImports: true,
      message: `layering (STYLE.md section 1): ${folder}/ may import only types from ${types.join(', ')}`,
    });
  if (!HTTP_FRAMEWORK.includes(folder))
    patterns.push({ group: ['fastify', '@fastify/*'], message: 'only server/ imports fastify' });
  return patterns;
}

export const layering = Object.keys(LAYERS).map((folder) => ({
  files: [`src/${folder}/**/*.ts`],
  ignores: ['**/*.test.ts'],
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: layerRule(folder) }] },
}));

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
  ...layering,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
