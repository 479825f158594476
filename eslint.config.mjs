// The lint of `npm run lint` (and `npm test`): ESLint's and typescript-eslint's recommended rules, with the
// exceptions below, each for a reason of this code base.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Generated code (imports/ by cdk8s import, the ajv validators) and build output are not linted.
  { ignores: ['lib/', 'node_modules/', 'imports/', 'dist/', 'examples/', 'src/**/generated/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // require() of a package.json reads its version; `import x = require('m')` is TypeScript's import of the
      // CommonJS module object itself (tools/resolve-modelcar.ts patches Node's Module).
      '@typescript-eslint/no-require-imports': ['error', { allow: ['/package\\.json$'], allowAsImport: true }],
      // Parsed YAML and JSON are walked as `any` where a schema or a check has established their shape; strict mode is on.
      '@typescript-eslint/no-explicit-any': 'off',
      // `const { a: _a, ...rest } = props` leaves props out on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // The YAML writer, name checks and their tests match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // The CLI loads each command's modules when it runs (`validate` does not pay for cdk8s), and the benchmarks
    // measure what loading each module costs: require() is deliberate there.
    files: ['src/cli/main.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Plain CommonJS scripts for Node (`node -r test/support/report-rss.cjs`).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
