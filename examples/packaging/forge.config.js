/**
 * Electron Forge configuration for an app that installed skaffa-sidecars from npm. npm put the
 * stripped sidecar binaries for this machine in node_modules/@skaffa-sidecars/<platform>-<arch>/bin/;
 * `asar.unpack` keeps that package (and the Node protocol kit, for Node sidecars) out of app.asar,
 * in app.asar.unpacked, where the resolver looks. electron-packager copies files with their
 * modes, so the execute bit npm installed survives. Cross-building and universal macOS builds
 * need more: see docs/packaging.md.
 */
module.exports = {
  packagerConfig: {
    asar: { unpack: '**/node_modules/{@skaffa-sidecars/**,skaffa-sidecars/sidecars/node-protocol/**}' },
  },
  makers: [{ name: '@electron-forge/maker-zip' }],
};
