// The import rules of the monorepo (ARCHITECTURE.md, "Layout"): dependencies point one way,
// apps → packages; `core` depends on nothing of ours; the agent on `core` only; no package
// reaches into an app, a test or another package's files. `npm test` runs this; a wrong arrow
// fails with the rule's name and comment.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: cut it by moving the shared piece down. Type-only imports run no code and are not counted.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'core-depends-on-nothing-of-ours',
      severity: 'error',
      comment: 'packages/core holds wire schemas, errors and pure logic that every other part shares.',
      from: { path: '^packages/core/' },
      to: { path: '^(packages/(?!core/)|apps/|test/|bench/)' },
    },
    {
      name: 'packages-never-import-apps',
      severity: 'error',
      comment: 'Dependencies point from apps to packages, never back.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'packages-and-apps-never-import-test',
      severity: 'error',
      comment:
        'test/ holds cross-app tests and their helpers; a package or app (its tests too) stays self-contained. A test that needs the API lives in test/.',
      from: { path: '^(apps|packages)/' },
      to: { path: '^test/' },
    },
    {
      name: 'apps-never-import-other-apps',
      severity: 'error',
      comment: 'Apps talk over HTTP; what two apps share belongs in a package.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'agent-depends-on-core-only',
      severity: 'error',
      comment:
        'The agent runs in every pod: no Redis, no SQLite, no native addons, nothing of the API. It may only use packages/core.',
      from: { path: '^apps/agent/' },
      to: {
        path: '^packages/(?!core/)|node_modules/(bullmq|ioredis|better-sqlite3|drizzle-orm|hono|@hono)/',
      },
    },
    {
      name: 'cli-and-client-speak-http-only',
      severity: 'error',
      comment: 'The CLI and the client reach the API over HTTP; they never open its database or queues.',
      from: { path: '^(apps/cli|packages/client)/' },
      to: { path: '^packages/(db|scheduler)/|node_modules/(bullmq|ioredis|better-sqlite3|drizzle-orm)/' },
    },
    {
      name: 'dashboard-speaks-v1-through-the-client',
      severity: 'error',
      comment:
        'The dashboard runs in a browser and talks to the API only over /v1, through packages/client; of ours it may import packages/client and packages/core (wire shapes), nothing else.',
      from: { path: '^apps/dashboard/' },
      to: {
        path: '^packages/(?!client/|core/)|node_modules/(bullmq|ioredis|better-sqlite3|drizzle-orm|hono|@hono|pino)/',
      },
    },
    {
      name: 'db-knows-no-redis',
      severity: 'error',
      comment: 'packages/db is the SQLite store only; what waits in Redis is the scheduler’s.',
      from: { path: '^packages/db/' },
      to: { path: '^packages/(?!core/|db/)|node_modules/(bullmq|ioredis)/' },
    },
    {
      name: 'no-deep-imports-across-packages',
      severity: 'error',
      comment: 'Each package has one public face (its index.ts, its exports map): import the package by name.',
      from: { path: '^(apps|packages)/([^/]+)/' },
      to: { path: '^packages/([^/]+)/src/(?!index\\.ts$)', pathNot: '^packages/$2/' },
    },
    {
      name: 'source-never-imports-tests',
      severity: 'error',
      comment: 'Shipped code may not depend on test files or test/ helpers.',
      from: { path: '^(apps|packages)/', pathNot: '\\.test\\.tsx?$|/test-support\\.ts$' },
      to: { path: '(\\.test\\.tsx?$|^test/|/test-support\\.ts$)' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'declared-dependencies-only',
      severity: 'error',
      comment: 'Every npm package a package imports is in its own package.json (not only in the root).',
      from: { path: '^(apps|packages)/', pathNot: '\\.test\\.tsx?$|/test-support\\.ts$' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
