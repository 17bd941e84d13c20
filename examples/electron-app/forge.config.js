/**
 * Electron Forge configuration for this example, type-checked (checkJs) against Forge's own
 * `ForgeConfig` type by tsconfig.json. The platform package of an npm install stays outside
 * app.asar; a build from this repository copies the staged binaries (`node sidecars/stage.js`)
 * into resources/sidecars/, the resolver's packaged location.
 */
'use strict';

/** @type {import('@electron-forge/shared-types', { with: { 'resolution-mode': 'import' } }).ForgeConfig} */
const config = {
  packagerConfig: {
    asar: { unpack: '**/node_modules/@skaffa-sidecars/**' },
    extraResource: ['../../dist-sidecars/sidecars'],
    ignore: [/^\/src\/(main|preload)\/.*\.ts$/, /\.map$/, /^\/release\//],
  },
  makers: [{ name: '@electron-forge/maker-zip', config: {} }],
};

module.exports = config;
