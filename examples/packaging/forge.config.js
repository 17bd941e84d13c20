/**
 * Electron Forge configuration for an app that ships Skaffa sidecars. `npm run stage-sidecars`
 * (sidecars/stage.js) first stages the release binaries in dist-sidecars/sidecars/<platform>-<arch>/;
 * `extraResource` copies the `sidecars` folder into the app's resources, so each binary ends up at
 * <resources>/sidecars/<platform>-<arch>/<bin>, where the registry's resolver looks when packaged.
 * electron-packager copies files with their modes, so the execute bit set by stage.js survives.
 */
module.exports = {
  packagerConfig: {
    asar: { unpack: '**/sidecars/{diff,node-protocol}/**' },
    extraResource: ['dist-sidecars/sidecars'],
  },
  makers: [{ name: '@electron-forge/maker-zip' }],
};
