/**
 * The error codes the typescript sidecar adds to the protocol's, as constants, so an app tests
 * `SidecarError.is(e, TypeScriptErrorCodes.notAnalyzed)` instead of spelling a string. They are the
 * method-specific codes `Error::code()` in src/error.rs sends, plus the one the workspace crate's
 * confinement passes through (test/error-codes.test.ts keeps them equal). None is retryable.
 */

export const TypeScriptErrorCodes = {
  /** The path names no file of the workspace (missing, ignored or excluded). */
  notFound: 'NOT_FOUND',
  /** An absolute path, `..` above the root, or a symlink leading out of the workspace. */
  outsideWorkspace: 'OUTSIDE_WORKSPACE',
  /** A workspace file this sidecar does not analyse: not `.ts .tsx .mts .cts .js .jsx .mjs .cjs`, or over 1 MiB; `data` has `path` and `reason`. */
  notAnalyzed: 'NOT_ANALYZED',
  /** A path component Windows reads as something else (passed through from the workspace crate's confinement). */
  invalidPath: 'INVALID_PATH',
  /** The file is there, but its permissions do not let the sidecar read it. */
  permissionDenied: 'PERMISSION_DENIED',
} as const;

export type TypeScriptErrorCode = (typeof TypeScriptErrorCodes)[keyof typeof TypeScriptErrorCodes];
