/**
 * Installs this example's own dependencies into its own node_modules, apart from the repository's:
 * Electron's typings, electron-builder's schema (app-builder-lib) and Forge's types. It runs
 * `npm ci --ignore-scripts` so that nothing downloads at install time (Electron 45 fetches its
 * binary on first launch, not on install; electron-winstaller's install step only copies 7-Zip
 * for Squirrel builds, which nothing here makes). Then it links the repository itself as
 * `node_modules/skaffa-sidecars`, the way `npm install ../..` would, so the example resolves
 * the library through its package exports (the built `dist/`) exactly as an installed app does.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = __dirname;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
execFileSync(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit', shell: process.platform === 'win32' });
const link = path.join(here, 'node_modules', 'skaffa-sidecars');
fs.rmSync(link, { recursive: true, force: true });
fs.symlinkSync(path.resolve(here, '..', '..'), link, 'junction');
console.log(`electron-app: dependencies installed, ${path.relative(process.cwd(), link)} -> repository`);
