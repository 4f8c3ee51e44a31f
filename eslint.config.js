import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'public/', 'node_modules/', '.data/', 'test-results/'] },
  js.configs.recommended,
  // Type-aware rules for TypeScript: they read the types tsconfig.json gives each file.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Plain JavaScript (the build hook's scripts, the browser's) is in no TypeScript project.
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['bin/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['static/js/**/*.js', 'static/sw/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'document', 'window', 'navigator', 'location', 'localStorage', 'crypto', 'fetch', 'EventSource', 'DOMParser',
          'CustomEvent', 'Event', 'URL', 'URLSearchParams', 'FormData', 'Response', 'Headers', 'Intl',
          'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'self', 'caches', 'console',
          'HTMLFormElement', 'btoa',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
