// ESLint flat config: typescript-eslint's type-checked rules over src/ and the
// tests; the testkit and scripts (plain .mjs) get the JavaScript rules only.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'build/', 'bench/.cache/', '**/*.d.ts', 'src/schema/data/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // bench/scale-entry.ts is bundled by the bench's own rollup config, outside tsconfig.json.
        projectService: { allowDefaultProject: ['bench/*.ts'] },
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Errors are caught as unknown and narrowed; the action never throws non-Errors itself.
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // String(x) on parsed YAML/JSON values (typed unknown) is the intended scalar conversion (names,
      // versions, tags); a map prints as [object Object] and then fails the comparison it feeds, never passes it.
      '@typescript-eslint/no-base-to-string': 'off',
      // async implementations of Promise-returning interfaces (expectedDigest, stand-ins) need no await.
      '@typescript-eslint/require-await': 'off'
    }
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // The yaml library is loaded on its first use (util/yaml-lib.ts): a value import would load it with the
      // pipeline again. Its types are free.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'yaml',
              message:
                "Use yamlLibrary() from util/yaml-lib.ts (loaded on first use); import type from 'yaml' is fine.",
              allowTypeImports: true
            }
          ]
        }
      ]
    }
  },
  {
    files: ['__tests__/**/*.ts'],
    rules: {
      // Jest matchers and parsed JSON in assertions are untyped by nature.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Loopback stand-in servers use async event handlers and pass on execFile's error as is.
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off'
    }
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        setImmediate: 'readonly'
      }
    }
  }
)
