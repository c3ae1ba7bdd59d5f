import tseslint from 'typescript-eslint';

// Globals and properties that make code impure: the core takes time, randomness and I/O as inputs.
const impureGlobals = [
  'Date',
  'performance',
  'setTimeout',
  'setInterval',
  'clearTimeout',
  'clearInterval',
  'queueMicrotask',
  'requestAnimationFrame',
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'fetch',
  'WebSocket',
  'RTCPeerConnection',
  'crypto',
  'process',
  'Buffer',
  'globalThis',
  'console',
].map((name) => ({
  name,
  message: `src/core is pure: '${name}' must enter as an input or a port.`,
}));

export default tseslint.config(
  {
    ignores: [
      'dist',
      'dist-server',
      'node_modules',
      'test-results',
      'playwright-report',
      'bench-results',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...impureGlobals],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'src/core is pure: use the injected Prng.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'crypto', 'net', 'http', 'events', 'stream'],
              message: 'src/core may not use Node built-ins.',
            },
            {
              group: [
                'yjs',
                'y-protocols',
                'y-protocols/*',
                'simple-peer',
                'react',
                'react-dom',
                'zustand',
                'd3',
                'd3-*',
                'ws',
              ],
              message: 'src/core may not import I/O or UI libraries.',
            },
          ],
        },
      ],
    },
  },
);
