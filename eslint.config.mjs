// Lint rules, including the architecture's import boundaries (docs/architecture.md):
// only src/http imports express/passport, only src/store/sqlite imports better-sqlite3,
// only src/store/mongodb imports mongodb.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// `paths` match package names exactly (a `patterns` group would also match a folder such as
// src/store/mongodb/ imported by open-store.ts).
const http = ['express', 'passport', 'passport-strategy'].map((name) => ({ name, message: 'Only src/http/ may use the HTTP stack.' }));
const sqlite = [{ name: 'better-sqlite3', message: 'Only src/store/sqlite/ may import better-sqlite3.' }];
const mongo = [{ name: 'mongodb', message: 'Only src/store/mongodb/ may import mongodb.' }];

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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
    files: ['src/**/*.ts'],
    ignores: ['src/http/**', 'src/app.ts', 'src/server.ts', 'src/store/sqlite/**', 'src/store/mongodb/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [...http, ...sqlite, ...mongo] }] },
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
