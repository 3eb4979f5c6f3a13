// The lint pass `npm run lint` runs (and `npm test`). Not type-aware, to stay fast: the type checks
// are tsc's job (`npm run typecheck`). Formatting is Prettier's (`npm run format:check`), so
// eslint-config-prettier comes last and turns off every rule that would fight it.
// Import boundaries between apps and libs are dependency-cruiser's (.dependency-cruiser.cjs).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['**/dist/', '**/node_modules/', 'coverage/', '.credence/', 'bench/results/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        // Node 20 globals the code uses; listed rather than pulling in the `globals` package.
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        __dirname: 'readonly',
        __filename: 'readonly',
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
      },
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      // A leading underscore marks a parameter kept for its position (Nest's filter/guard signatures,
      // a route parameter read by a guard but not by the handler).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // Off for TypeScript: it does not see a variable used in a parameter decorator
      // (`@Param('id', uuidPipe)`), so it flags every module-level pipe a controller uses
      // (typescript-eslint/typescript-eslint#12407, closed as an ESLint core matter).
      'no-useless-assignment': 'off',
    },
  },
  {
    // Test and bench code reads JSON it did not type: HTTP bodies (TestApp.call<T = any>), RPC
    // replies, token claims it tampers with, TypeORM internals a bench patches. The shape is what the
    // test asserts, so typing each body is ceremony without a check behind it. Code that ships keeps
    // the rule (it has no `any` today).
    files: ['test/**', 'bench/**', 'libs/testing/**', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The few plain .js files (jest config, scripts, a jest reporter, a probe run by a test) are
    // CommonJS, where require() is the import.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
