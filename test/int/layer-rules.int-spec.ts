import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The layer rules (.dependency-cruiser.cjs) run on a small made-up tree: every rule must flag its
 * deliberate violation and nothing else, so a rule that stops matching (a renamed folder, an alias
 * that no longer resolves) fails here instead of passing every tree in silence.
 */
const ROOT = join(__dirname, '..', '..');

/** A file per path; each line an import that is either allowed or the one violation its comment names. */
const FIXTURE: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'node20', moduleResolution: 'node16', baseUrl: './', paths: { '@credence/*': ['libs/*/src'], '@migrations/*': ['migrations/*'] } },
  }),
  'migrations/tenant/index.ts': `export const tenantMigrations = [];`,

  // core
  'libs/errors/src/index.ts': `export class DomainError extends Error {}`,
  'libs/access/src/index.ts': [
    `import { DomainError } from '@credence/errors';`, // core -> core: allowed
    `import { users } from '@credence/identity';`, // core-imports-feature (access is core)
    `export const x = [DomainError, users];`,
  ].join('\n'),
  'libs/runtime/src/index.ts': [
    `import { tenantMigrations } from '@migrations/tenant';`, // allowed
    `import { federation } from '@credence/federation';`, // core-imports-feature: a lib not in the core list is a feature
    `export const y = [tenantMigrations, federation];`,
  ].join('\n'),
  'libs/contracts/src/index.ts': [
    `import { z } from 'zod';`, // a package that is not Nest: allowed
    `import { Injectable } from '@nestjs/common';`, // contracts-import-nest
    `import { DomainError } from '@credence/errors';`, // contracts-import-lib
    `export const c = [z, Injectable, DomainError];`,
  ].join('\n'),
  'libs/http/src/index.ts': [
    `export type { FastifyReply } from 'fastify';`, // type-only import of a transitive package: allowed
    `export * from './server';`,
  ].join('\n'),
  'libs/http/src/server.ts': `import fastify from 'fastify';\nexport const server = fastify;`, // no-non-package-json

  // features
  'libs/identity/src/index.ts': `import { DomainError } from '@credence/errors';\nexport * from './users/users';\nexport const e = DomainError;`,
  'libs/identity/src/users/users.ts': `export const users = 1;`,
  'libs/identity/src/users/users.spec.ts': `import { Test } from '@nestjs/testing';\nexport const t = Test;`, // dev dependency in a spec: allowed
  'libs/identity/src/bad-app.ts': `import { AuthAppModule } from '../../../apps/auth/src/auth-app.module';\nexport const a = AuthAppModule;`, // lib-imports-app
  'libs/identity/src/bad-test.ts': `import { helper } from '../../../test/support/helper';\nexport const h = helper;`, // shipped-imports-test-code
  'libs/identity/src/bad-dev.ts': `import autocannon from 'autocannon';\nexport const b = autocannon;`, // shipped-imports-dev-dependency
  'libs/identity/src/bad-alias.ts': `import { nothing } from '@credence/no-such-lib';\nexport const n = nothing;`, // not-to-unresolvable
  'libs/federation/src/index.ts': [
    `import { users } from '@credence/identity';`, // feature -> feature through its index: allowed
    `import { users as deep } from '../../identity/src/users/users';`, // lib-deep-import
    `export const federation = [users, deep];`,
  ].join('\n'),
  'libs/audit/src/index.ts': `import { sync } from '@credence/sync';\nexport const audit = () => sync;`, // lib-cycle
  'libs/sync/src/index.ts': `import { audit } from '@credence/audit';\nexport const sync = () => audit;`, // lib-cycle
  'libs/testing/src/index.ts': [
    // libs/testing composes test apps: all allowed
    `import { AuthAppModule } from '../../../apps/auth/src/auth-app.module';`,
    `import { users } from '../../identity/src/users/users';`,
    `import { Test } from '@nestjs/testing';`,
    `export const testing = [AuthAppModule, users, Test];`,
  ].join('\n'),

  // apps
  'apps/auth/src/auth-app.module.ts': [
    `import { users } from '@credence/identity';`, // allowed
    `import { tenantMigrations } from '@migrations/tenant';`, // allowed
    `import { users as deep } from '../../../libs/identity/src/users/users';`, // app-deep-import
    `import { helper } from '../../../test/support/helper';`, // app-imports-outside-libs + shipped-imports-test-code
    `export const AuthAppModule = [users, tenantMigrations, deep, helper];`,
  ].join('\n'),
  'apps/auth/src/other.ts': `export const other = 1;`,
  'apps/sync/src/main.ts': `import { AuthAppModule } from '../../auth/src/auth-app.module';\nexport const m = AuthAppModule;`, // app-imports-app
  'apps/platform/src/main.ts': [
    `import { AuthAppModule } from '../../auth/src/auth-app.module';`, // the composition root: allowed
    `import { other } from '../../auth/src/other';`, // app-imports-app-not-via-its-module
    `export const p = [AuthAppModule, other];`,
  ].join('\n'),

  // test code may import anything
  'test/support/helper.ts': `export const helper = 1;`,
  'test/e2e/anything.e2e-spec.ts': [
    `import { AuthAppModule } from '../../apps/auth/src/auth-app.module';`,
    `import { users } from '../../libs/identity/src/users/users';`,
    `import autocannon from 'autocannon';`,
    `export const e = [AuthAppModule, users, autocannon];`,
  ].join('\n'),
  'bench/anything.bench.ts': `import { other } from '../apps/auth/src/other';\nimport { users } from '../libs/identity/src/users/users';\nexport const b = [other, users];`,
};

const EXPECTED = [
  'app-deep-import: apps/auth/src/auth-app.module.ts -> libs/identity/src/users/users.ts',
  'app-imports-app-not-via-its-module: apps/platform/src/main.ts -> apps/auth/src/other.ts',
  'app-imports-app: apps/sync/src/main.ts -> apps/auth/src/auth-app.module.ts',
  'app-imports-outside-libs: apps/auth/src/auth-app.module.ts -> test/support/helper.ts',
  'contracts-import-lib: libs/contracts/src/index.ts -> libs/errors/src/index.ts',
  'contracts-import-nest: libs/contracts/src/index.ts -> @nestjs/common',
  'core-imports-feature: libs/access/src/index.ts -> libs/identity/src/index.ts',
  'core-imports-feature: libs/runtime/src/index.ts -> libs/federation/src/index.ts',
  // A cycle is reported once, at the first of its edges.
  'lib-cycle: libs/audit/src/index.ts -> libs/sync/src/index.ts',
  'lib-deep-import: libs/federation/src/index.ts -> libs/identity/src/users/users.ts',
  'lib-imports-app: libs/identity/src/bad-app.ts -> apps/auth/src/auth-app.module.ts',
  'no-non-package-json: libs/http/src/server.ts -> fastify',
  'not-to-unresolvable: libs/identity/src/bad-alias.ts -> @credence/no-such-lib',
  'shipped-imports-dev-dependency: libs/identity/src/bad-dev.ts -> autocannon',
  'shipped-imports-test-code: apps/auth/src/auth-app.module.ts -> test/support/helper.ts',
  'shipped-imports-test-code: libs/identity/src/bad-test.ts -> test/support/helper.ts',
].sort();

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** A package's resolved path, shortened to its name, so the expectations do not depend on where node_modules lives. */
const shortName = (to: string) => to.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? to;

describe('layer rules (.dependency-cruiser.cjs)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'credence-layers-'));
    for (const [path, text] of Object.entries(FIXTURE)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    // The real package.json and node_modules, so that dependency kinds (npm, npm-dev, not declared) are the real ones.
    symlinkSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cruise = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
        '--config',
        join(ROOT, '.dependency-cruiser.cjs'),
        ...args,
        'apps',
        'libs',
        'migrations',
        'test',
        'bench',
      ],
      { cwd: dir, encoding: 'utf8' },
    );

  it('flags each deliberate violation, and only those', () => {
    const run = cruise('--output-type', 'json');
    expect(run.stderr).toBe('');
    const violations: Violation[] = JSON.parse(run.stdout).summary.violations;
    const found = violations.map((v) => `${v.rule.name}: ${v.from} -> ${shortName(v.to)}`).sort();

    expect(found).toEqual(EXPECTED);
  });

  it('fails the way `npm run lint:boundaries` runs it: the exit code counts the errors', () => {
    const run = cruise();
    expect(run.stdout).toContain(`${EXPECTED.length} dependency violations (${EXPECTED.length} errors, 0 warnings)`);
    expect(run.status).toBe(EXPECTED.length);
  });
});
