/**
 * The layer rules of docs/architecture.md ("Layers and the checks that keep them"), checked by
 * `npm run lint:boundaries`. Every rule is an error: a layer that may be crossed "just this once"
 * is not a layer.
 *
 * The core (infrastructure) libs are listed by name; every other lib is a feature, so a new lib
 * (federation, sync, ...) is held to the feature rules until someone decides it belongs to the core.
 * libs/testing composes test apps and may import anything; so may test/, bench/, examples/ and scripts/.
 */
const CORE_LIBS = [
  'access',
  'actors',
  'config',
  'consumer-kit',
  'context',
  'contracts',
  'crypto',
  'database',
  'errors',
  'event-relay',
  'http',
  'observability',
  'outbox',
  'queues',
  'redis',
  'redis-streams-transport',
  'runtime',
  'tenancy',
];
const CORE = `^libs/(${CORE_LIBS.join('|')})/`;
/** Production code: what `npm run build` ships in the image (spec files and libs/testing are not shipped). */
const SHIPPED = ['^apps/', '^libs/', '^migrations/'];
const NOT_SHIPPED = ['^libs/testing/', '\\.spec\\.ts$'];

module.exports = {
  forbidden: [
    {
      name: 'app-imports-app',
      comment:
        'An app imports libs (and migrations), never another app. apps/platform is the one composition root: ' +
        "it may import the other apps' app modules (*-app.module.ts) and nothing else of theirs.",
      severity: 'error',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/platform/' },
      to: { path: '^apps/', pathNot: ['^apps/$1/'] },
    },
    {
      name: 'app-imports-app-not-via-its-module',
      comment: 'apps/platform composes the other apps through their app module only.',
      severity: 'error',
      from: { path: '^apps/platform/' },
      to: { path: '^apps/', pathNot: ['^apps/platform/', '^apps/[^/]+/src/[^/]+-app\\.module\\.ts$'] },
    },
    {
      name: 'app-imports-outside-libs',
      comment: 'Apps import libs and migrations; test, bench, examples and scripts are not part of an app.',
      severity: 'error',
      from: { path: '^apps/' },
      to: { path: '^(test|bench|examples|scripts)/' },
    },
    {
      name: 'core-imports-feature',
      comment:
        'The core (infrastructure libs) knows no feature: features plug into it (entities, retention rules, ' +
        'job handlers are passed in). Any lib not in CORE_LIBS is a feature.',
      severity: 'error',
      from: { path: CORE },
      to: { path: '^libs/', pathNot: [CORE] },
    },
    {
      name: 'lib-deep-import',
      comment:
        'A lib uses another lib only through its public src/index.ts (import from "@credence/<lib>"), never a file ' + 'behind it, so what a lib exposes is what its index says.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/', pathNot: '^libs/testing/' },
      to: { path: '^libs/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'app-deep-import',
      comment: 'Apps use a lib only through its public src/index.ts, like libs do.',
      severity: 'error',
      from: { path: '^apps/' },
      to: { path: '^libs/', pathNot: ['^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'contracts-import-lib',
      comment: 'libs/contracts (event and RPC payload types) stands alone so that consumers can use it: no other lib.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: ['^libs/', '^apps/', '^migrations/'], pathNot: ['^libs/contracts/'] },
    },
    {
      name: 'contracts-import-nest',
      comment: 'libs/contracts imports nothing from Nest, so that a consumer without Nest can use it.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { dependencyTypesNot: ['local', 'core'], path: '(^|/)node_modules/@nestjs/' },
    },
    {
      name: 'lib-cycle',
      comment: 'No import cycle runs through two libs: a lib that needs another cannot be needed by it.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { circular: true, pathNot: ['^libs/$1/'] },
    },
    {
      name: 'lib-imports-app',
      comment: 'Libs never import apps. libs/testing may: it composes test apps.',
      severity: 'error',
      from: { path: '^libs/', pathNot: '^libs/testing/' },
      to: { path: '^apps/' },
    },
    {
      name: 'shipped-imports-test-code',
      comment: 'Code that ships (apps, libs, migrations) never imports test/, bench/, examples/, scripts/ or libs/testing.',
      severity: 'error',
      from: { path: SHIPPED, pathNot: NOT_SHIPPED },
      to: { path: ['^(test|bench|examples|scripts)/', '^libs/testing/'] },
    },
    {
      name: 'shipped-imports-dev-dependency',
      comment: 'The image prunes devDependencies (Dockerfile: npm prune --omit=dev), so shipped code must not need one.',
      severity: 'error',
      from: { path: SHIPPED, pathNot: NOT_SHIPPED },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'Every import resolves. Besides catching typos, this keeps the rules above honest: an alias the cruiser ' +
        'could not resolve would match none of them and pass silently.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment:
        'A package used by the code is declared in package.json, not just present in node_modules. Type-only ' +
        'imports are let through: they are erased at build time, and `import type { FastifyReply } from "fastify"` ' +
        '(fastify arrives with @nestjs/platform-fastify) is the usual Nest-on-Fastify idiom.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^coverage/', '^\\.credence/'] },
    // Type-only imports count: a core lib that imports a feature's type still depends on the feature.
    tsPreCompilationDeps: true,
    // Resolves the @credence/* and @migrations/* paths of tsconfig.json.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
