import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

/** The bounded contexts (feature modules) under src/. */
const FEATURES = [
  'src/auth',
  'src/campaigns',
  'src/recipients',
  'src/sequences',
  'src/delivery',
  'src/providers',
  'src/tracking',
  'src/runner',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.scratch/**', 'src/generated/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.ts', 'scripts/*.mjs', 'test/support/*.mjs', 'test/support/*.cjs'],
          // The config files, scripts and test support files above (about ten small files).
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 16,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      // Module boundaries (DESIGN.md, docs/adr/005): shared layers import no context; delivery
      // imports none of its sources; providers know no source either.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...['src/common', 'src/config', 'src/prisma'].map((target) => ({
              target,
              from: FEATURES,
              message: 'common, config and prisma import no feature module (move the shared part here)',
            })),
            {
              target: 'src/delivery',
              from: ['src/campaigns', 'src/sequences', 'src/runner'],
              message: 'delivery imports none of its sources: they hand it work and hear its events',
            },
            {
              target: 'src/providers',
              from: ['src/campaigns', 'src/sequences'],
              message: 'providers know no source of messages',
            },
          ],
        },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
    settings: { 'import-x/resolver': { typescript: true, node: true } },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', globalThis: 'readonly', module: 'writable' },
    },
  },
);
