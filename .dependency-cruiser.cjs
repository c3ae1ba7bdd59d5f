/**
 * Layering rules from ARCHITECTURE.md ("may import" arrows). A violation fails `npm test`.
 * core/base <- core/wire <- core/quorum <- core/<protocol> <- core/agent; core <- host <- adapters;
 * host <- crdt; core, host, crdt, adapters <- api <- ui/main.tsx, adapters/node/main.ts;
 * everything <- ui/main.tsx; core, host, crdt, adapters/node <- sim, bench.
 * The simulator runs the shared document too (its checkers include CRDT convergence), and the
 * Node agent's entry point (adapters/node/main.ts) is a composition root like ui/main.tsx.
 */
const coreProtocols = '^src/core/(?!base/|wire/|quorum/|agent/)[^/]+/';

module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'src/core imports nothing outside src/core (no npm packages, no Node built-ins).',
      severity: 'error',
      from: { path: '^src/core/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^src/core/' },
    },
    {
      name: 'base-is-the-bottom',
      severity: 'error',
      from: { path: '^src/core/base/' },
      to: { path: '^src/core/(?!base/)' },
    },
    {
      name: 'wire-imports-only-base',
      severity: 'error',
      from: { path: '^src/core/wire/' },
      to: { path: '^src/core/(?!base/|wire/)' },
    },
    {
      name: 'quorum-imports-only-base-and-wire',
      severity: 'error',
      from: { path: '^src/core/quorum/' },
      to: { path: '^src/core/(?!base/|wire/|quorum/)' },
    },
    {
      name: 'protocols-do-not-reach-into-each-other',
      comment:
        'A protocol folder imports base, wire, quorum and itself only; agent/ composes them.',
      severity: 'error',
      from: { path: '(^src/core/[^/]+/)', pathNot: '^src/core/(base|wire|quorum|agent)/' },
      to: { path: coreProtocols, pathNot: '$1' },
    },
    {
      name: 'protocols-do-not-import-agent',
      severity: 'error',
      from: { path: '^src/core/(?!agent/)' },
      to: { path: '^src/core/agent/' },
    },
    {
      name: 'host-imports-core-only',
      severity: 'error',
      from: { path: '^src/host/' },
      to: { path: '^src/(?!core/|host/)' },
    },
    {
      name: 'crdt-imports-core-and-host-only',
      severity: 'error',
      from: { path: '^src/crdt/' },
      to: { path: '^src/(?!core/|host/|crdt/)' },
    },
    {
      name: 'adapters-do-not-import-ui-sim-bench-crdt',
      severity: 'error',
      from: { path: '^src/adapters/', pathNot: '^src/adapters/node/main\\.ts$' },
      to: { path: '^src/(ui|sim|bench|crdt)/' },
    },
    {
      name: 'webrtc-adapter-is-platform-neutral',
      comment: 'adapters/webrtc runs in pages and in Node; the platform pieces plug into it.',
      severity: 'error',
      from: { path: '^src/adapters/webrtc/' },
      to: { path: '^src/adapters/(browser|node)/' },
    },
    {
      name: 'browser-adapter-is-not-node',
      severity: 'error',
      from: { path: '^src/adapters/browser/' },
      to: { path: '^src/adapters/node/' },
    },
    {
      name: 'node-adapter-is-not-browser',
      severity: 'error',
      from: { path: '^src/adapters/node/' },
      to: { path: '^src/adapters/browser/' },
    },
    {
      name: 'only-main-imports-ui-from-outside',
      comment: 'Nothing outside src/ui imports it; main.tsx is the composition root.',
      severity: 'error',
      from: { path: '^(?!src/ui/)' },
      to: { path: '^src/ui/' },
    },
    {
      name: 'ui-components-do-not-touch-protocols',
      comment: 'React reads the store only; only main.tsx wires adapters and host.',
      severity: 'error',
      from: { path: '^src/ui/(?!main\\.tsx$)', pathNot: '\\.test\\.tsx?$' },
      to: {
        path: '^src/(core/(?!base/ids)|host/|adapters/|sim/|bench/)',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'sim-and-bench-stay-out-of-the-browser',
      severity: 'error',
      from: { path: '^src/(?!sim/|bench/)' },
      to: { path: '^src/(sim|bench)/' },
    },
    {
      name: 'sim-imports-core-host-node-adapter',
      severity: 'error',
      from: { path: '^src/sim/' },
      to: { path: '^src/(ui|adapters/browser)/' },
    },
    {
      name: 'server-imports-only-core-wire',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^src/(?!core/wire/|core/base/)' },
    },
    {
      name: 'api-is-above-adapters',
      comment: 'api/ builds on core, host, crdt and adapters; it imports no ui, sim or bench.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/(ui|sim|bench)/' },
    },
    {
      name: 'only-composition-roots-import-api',
      comment: 'The page, the Node agent, the benches and the tests build on api/; nothing below.',
      severity: 'error',
      from: { path: '^src/(core|host|crdt|adapters)/', pathNot: '^src/adapters/node/main\\.ts$' },
      to: { path: '^src/api/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^vite/client$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|dist-server|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
