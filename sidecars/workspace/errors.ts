/**
 * The error codes the workspace sidecar adds to the protocol's, as constants, so an app tests
 * `SidecarError.is(e, WorkspaceErrorCodes.outsideWorkspace)` instead of spelling a string. They are
 * the method-specific codes `Error::code()` in src/error.rs sends (test/error-codes.test.ts keeps
 * the two equal); its other codes (`INVALID_PARAMS`, `CANCELLED`, `INTERNAL`) are protocol codes.
 * None is retryable, and `data.path` is always the path as requested (see docs/protocol.md).
 */

export const WorkspaceErrorCodes = {
  /** Nothing at the path in the sidecar's view: missing, ignored or excluded, not a file or folder, a dangling or looping symlink. */
  notFound: 'NOT_FOUND',
  /** `readFile` of a folder. */
  notAFile: 'NOT_A_FILE',
  /** `listDir` of something that is not a folder. */
  notADirectory: 'NOT_A_DIRECTORY',
  /** An absolute path, `..` above the root, or a symlink or junction leading out of the workspace. */
  outsideWorkspace: 'OUTSIDE_WORKSPACE',
  /** A component Windows reads as something else (reserved device name, trailing dot or space, `:`); `data.reason` says which. */
  invalidPath: 'INVALID_PATH',
  /** Over `maxBytes` or `--max-file-size`; `data` has `size` and `limit`. */
  tooLarge: 'TOO_LARGE',
  /** `readFile` as `utf8` of a file that is not UTF-8. */
  invalidEncoding: 'INVALID_ENCODING',
  /** The file or folder is there, but its permissions do not let the sidecar read it. */
  permissionDenied: 'PERMISSION_DENIED',
} as const;

export type WorkspaceErrorCode = (typeof WorkspaceErrorCodes)[keyof typeof WorkspaceErrorCodes];
