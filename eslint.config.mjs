// Lint rules, including the architecture's import boundaries (docs/architecture.md):
// only src/http imports express/passport, only src/store/sqlite imports better-sqlite3,
// only src/store/mongodb imports mongodb.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// `paths` match package names exactly (a `patterns` group would also match a folder such as
// src/store/mongodb/ imported by open-store.ts).
const http = ['express', 'passport', 'passport-strategy'].map((name) => ({ name, message: 'Only src/http/ may use the HTTP stack.' }));
const sqlite = [{ name: 'better-sqlite3', message: 'Only src/store/sqlite/ may import better-sqlite3.' }];
const mongo = [{ name: 'mongodb', message: 'Only src/store/mongodb/ may import mongodb.' }];

// The core (docs/architecture.md) knows no HTTP and no storage adapter: checked on relative
// paths as well as package names, so `../http/errors` is caught like `express`.
const core = ['src/access', 'src/stix', 'src/catalog', 'src/audit', 'src/taxii', 'src/store', 'src/exchange'].map((d) => `${d}/**/*.ts`);
const coreBoundaries = [
  { group: ['**/http', '**/http/**'], message: 'The core knows no HTTP: src/http/ is a door, it calls the core, not the other way round.' },
  { group: ['**/store/sqlite/**', '**/store/mongodb/**', '**/sqlite/**', '**/mongodb/**'], message: 'The core uses the Store contract (src/store/store.ts), never an adapter.' },
  { group: ['**/cli/**', '**/console/**', '**/app', '**/server'], message: 'The core knows no door (command line, console, app, server).' },
];

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Type-checked rules on the server code; the console's front end (src/console/web) is browser code with its own build.
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['src/**/*.ts'], ignores: ['src/console/web/**'] })),
  {
    files: ['src/**/*.ts'],
    ignores: ['src/console/web/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // The store contract is asynchronous (MongoDB needs it) and the SQLite adapter meets it
      // synchronously: its `async` methods have nothing to await, by design.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The require hook for CLI tests is plain CommonJS run by node.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Build scripts run by node as ES modules.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // No import cycles anywhere in src/ (import-x skips type-only imports; keep those acyclic by hand).
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/http/**', 'src/app.ts', 'src/server.ts', 'src/store/sqlite/**', 'src/store/mongodb/**', ...core],
    rules: { 'no-restricted-imports': ['error', { paths: [...http, ...sqlite, ...mongo] }] },
  },
  {
    files: core,
    // open-store.ts is where a location picks its adapter; the adapters are the core's drivers.
    ignores: ['src/store/open-store.ts', 'src/store/sqlite/**', 'src/store/mongodb/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [...http, ...sqlite, ...mongo], patterns: coreBoundaries }] },
  },
  {
    files: ['src/http/**/*.ts', 'src/app.ts', 'src/server.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [...sqlite, ...mongo] }] },
  },
  {
    files: ['src/store/sqlite/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [...http, ...mongo] }] },
  },
  {
    files: ['src/store/mongodb/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [...http, ...sqlite] }] },
  },
);
