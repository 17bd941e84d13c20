/**
 * examples/electron-app's static checks, on the dependencies its setup.js installs into its own
 * node_modules (`npm run setup:electron-app`): main, preload and forge.config.js type-check against
 * Electron's and Forge's own typings, the renderer against the DOM without Node, and
 * electron-builder.yml validates against electron-builder's published schema (app-builder-lib's
 * scheme.json). Each check is also shown failing on a wrong input.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';

const REPO = path.resolve(__dirname, '..');
const EXAMPLE = path.join(REPO, 'examples/electron-app');
const MODULES = path.join(EXAMPLE, 'node_modules');

beforeAll(() => {
  for (const dep of ['electron/electron.d.ts', 'app-builder-lib/scheme.json', '@electron-forge/shared-types/package.json', 'skaffa-sidecars/dist/sidecars/workspace/index.d.ts']) {
    if (!fs.existsSync(path.join(MODULES, dep))) {
      throw new Error(`examples/electron-app/node_modules/${dep} is missing: run \`npm run build\` and \`npm run setup:electron-app\` first`);
    }
  }
});

function tsc(project: string): string[] {
  const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', project, '--noEmit', '--pretty', 'false'], {
    cwd: EXAMPLE,
    encoding: 'utf8',
  });
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => /error TS/.test(l));
}

test('main, preload, the Forge config and the renderer type-check against the real typings', () => {
  expect(tsc(path.join(EXAMPLE, 'tsconfig.json'))).toEqual([]);
  expect(tsc(path.join(EXAMPLE, 'tsconfig.renderer.json'))).toEqual([]);
}, 120_000);

test('the type check fails on a misuse of Electron or Forge, and on Node in the renderer', () => {
  const dir = fs.mkdtempSync(path.join(EXAMPLE, '.tmp-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'wrong.ts'),
      [
        "import { app, BrowserWindow } from 'electron';",
        "import type { ForgeConfig } from '@electron-forge/shared-types' with { 'resolution-mode': 'import' };",
        'export const packaged: boolean = app.isPackaged;',
        "new BrowserWindow({ webPreferences: { sandbox: 'yes' } });", // Electron's typings: boolean
        "export const forge: ForgeConfig = { packagerConfig: { asar: 'unpack' } };", // Forge's typings: boolean or options
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'renderer.ts'), "const fs = require('node:fs');\n");
    const main = { extends: '../tsconfig.json', compilerOptions: { rootDir: '..' }, include: ['wrong.ts'] };
    const renderer = { extends: '../tsconfig.renderer.json', compilerOptions: { rootDir: '..' }, files: ['renderer.ts'] };
    fs.writeFileSync(path.join(dir, 'main.json'), JSON.stringify(main));
    fs.writeFileSync(path.join(dir, 'renderer.json'), JSON.stringify(renderer));
    expect(tsc(path.join(dir, 'main.json'))).toEqual([expect.stringMatching(/wrong\.ts\(4,.*TS2322/), expect.stringMatching(/wrong\.ts\(5,.*TS2322/)]);
    expect(tsc(path.join(dir, 'renderer.json'))).toEqual([expect.stringMatching(/renderer\.ts\(1,.*TS25\d\d: Cannot find name 'require'/)]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

function builderValidator() {
  const schema = JSON.parse(fs.readFileSync(path.join(MODULES, 'app-builder-lib/scheme.json'), 'utf8'));
  // The schema documents its own extensions (e.g. `tsType`) beside the standard keywords.
  const ajv = new Ajv({ strict: false, allErrors: true });
  return ajv.compile(schema);
}

function builderConfig(): Record<string, any> {
  const yaml = require(path.join(MODULES, 'js-yaml')) as { load(text: string): unknown };
  return yaml.load(fs.readFileSync(path.join(EXAMPLE, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
}

test('electron-builder.yml is valid for electron-builder and ships the sidecar binaries outside app.asar', () => {
  const validate = builderValidator();
  const config = builderConfig();
  const valid = validate(config);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  expect(config.asarUnpack).toContain('node_modules/@skaffa-sidecars/**');
  expect(config.extraResources).toContainEqual(expect.objectContaining({ to: 'sidecars/${platform}-${arch}' }));
  expect(config.electronFuses).toMatchObject({ runAsNode: false, onlyLoadAppFromAsar: true });
});

test('the schema check rejects a misspelled key and a wrong type', () => {
  const validate = builderValidator();
  expect(validate({ ...builderConfig(), asarUnpacked: ['x'] })).toBe(false);
  expect(validate.errors).toContainEqual(expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'asarUnpacked' } }));
  expect(validate({ ...builderConfig(), electronFuses: { runAsNode: 'no' } })).toBe(false);
});
