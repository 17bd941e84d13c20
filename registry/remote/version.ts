/**
 * The version every sidecar binary of this release reports in `$/describe` (the Cargo workspace
 * version). Remote provisioning names its folder after it and refuses a remote binary that reports
 * another one; a test keeps it equal to Cargo.toml's and package.json's version.
 */
export const SIDECAR_VERSION = '0.1.0';
