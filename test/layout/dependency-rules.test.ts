import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The import rules (.dependency-cruiser.cjs) run in `npm test` over the real tree. This feeds
// them a small tree with the wrong arrows v0.1.0 had, and checks that each one fails by name.

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'sy-depcruise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function cruise(): string {
  copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  copyFileSync(join(ROOT, 'tsconfig.base.json'), join(dir, 'tsconfig.base.json'));
  copyFileSync(join(ROOT, 'tsconfig.depcruise.json'), join(dir, 'tsconfig.depcruise.json'));
  const bin = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const r = spawnSync(process.execPath, [bin, 'apps', 'packages', 'test', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return `${r.stdout}${r.stderr}`;
}

describe('the import rules', () => {
  it('name each wrong arrow of the kinds v0.1.0 had', () => {
    put('package.json', JSON.stringify({ name: 'probe', private: true }));
    put('node_modules/drizzle-orm/package.json', JSON.stringify({ name: 'drizzle-orm', main: 'index.js' }));
    put('node_modules/drizzle-orm/index.js', 'exports.sql = 1;\n');
    put('packages/core/package.json', JSON.stringify({ name: '@switchyard/core' }));
    put('packages/core/src/index.ts', "export { helper } from '../../db/src/index.ts';\n");
    put('packages/db/package.json', JSON.stringify({ name: '@switchyard/db' }));
    put('packages/db/src/index.ts', 'export const helper = 1;\n');
    put('packages/db/src/inner.ts', 'export const inner = 1;\n');
    put('packages/client/package.json', JSON.stringify({ name: '@switchyard/client' }));
    put('packages/client/src/client.test.ts', "import { useApi } from '../../../test/support/api.ts';\nexport const u = useApi;\n");
    put('test/support/api.ts', "export { app as useApi } from '../../apps/api/src/app.ts';\n");
    put('apps/api/package.json', JSON.stringify({ name: '@switchyard/api', dependencies: {} }));
    put('apps/api/src/app.ts', "import { sql } from 'drizzle-orm';\nexport const app = sql;\n");
    put('apps/agent/package.json', JSON.stringify({ name: '@switchyard/agent' }));
    put('apps/agent/src/main.ts', "import { inner } from '../../../packages/db/src/inner.ts';\nimport { app } from '../../api/src/app.ts';\nexport const m = [inner, app];\n");

    const out = cruise();
    expect(out).toMatch(/core-depends-on-nothing-of-ours: packages\/core\/src\/index\.ts → packages\/db\/src\/index\.ts/);
    expect(out).toMatch(/packages-and-apps-never-import-test: packages\/client\/src\/client\.test\.ts → test\/support\/api\.ts/);
    expect(out).toMatch(/declared-dependencies-only: apps\/api\/src\/app\.ts → node_modules\/drizzle-orm/);
    expect(out).toMatch(/agent-depends-on-core-only: apps\/agent\/src\/main\.ts → packages\/db\/src\/inner\.ts/);
    expect(out).toMatch(/no-deep-imports-across-packages: apps\/agent\/src\/main\.ts → packages\/db\/src\/inner\.ts/);
    expect(out).toMatch(/apps-never-import-other-apps: apps\/agent\/src\/main\.ts → apps\/api\/src\/app\.ts/);
  });
});
