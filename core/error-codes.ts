/**
 * Every error code the framework itself knows, in one place. The codes only main produces drive
 * retries, restarts and what a user is told to do (reach the host, fix the key, upgrade the
 * binary), so they are one list: `KnownErrorCode` is derived from it, and the connection refuses
 * any of them from the wire (`isMainSideCode`). A code added here is protected at once; a sidecar
 * cannot claim `SIDECAR_CRASHED` or `REMOTE_UNREACHABLE` and have the caller take it as main's.
 */

/** Error codes a sidecar may answer with (method-specific codes come on top). */
export const SidecarSideCodes = ['PARSE_ERROR', 'INVALID_REQUEST', 'METHOD_NOT_FOUND', 'INVALID_PARAMS', 'CANCELLED', 'INTERNAL'] as const;

/** The codes a remote launch adds, raised by main while provisioning (docs/remote.md explains each). */
export const RemoteErrorCodes = {
  /** The transport itself (ssh, docker...) is not installed here. */
  transportNotFound: 'REMOTE_TRANSPORT_NOT_FOUND',
  /** The host, container or distribution cannot be reached (DNS, refused, timed out, not running). */
  unreachable: 'REMOTE_UNREACHABLE',
  /** The far side refused us: wrong key or user, or an unknown/changed host key. */
  authFailed: 'REMOTE_AUTH_FAILED',
  /** The remote disk or quota is full, so the binary could not be uploaded. */
  noSpace: 'REMOTE_NO_SPACE',
  /** No build of the sidecar exists for the remote OS/CPU, or the remote has no POSIX shell. */
  unsupportedPlatform: 'REMOTE_UNSUPPORTED_PLATFORM',
  /** The remote binary answered `$/describe` with another name or version. */
  versionMismatch: 'REMOTE_VERSION_MISMATCH',
  /** Anything else that stopped provisioning (permissions, a binary that does not run there...). */
  provisionFailed: 'REMOTE_PROVISION_FAILED',
} as const;

export type RemoteErrorCode = (typeof RemoteErrorCodes)[keyof typeof RemoteErrorCodes];

/** Error codes only main produces: never believed from a sidecar's answer. */
export const MainSideCodes = [
  'TIMEOUT',
  'SIDECAR_CRASHED',
  'SIDECAR_UNAVAILABLE',
  'BINARY_NOT_FOUND',
  'INVALID_RESULT',
  'PROTOCOL_ERROR',
  'INVALID_MANIFEST',
  'DUPLICATE_SIDECAR',
  ...Object.values(RemoteErrorCodes),
] as const;

export type SidecarSideCode = (typeof SidecarSideCodes)[number];
export type MainSideCode = (typeof MainSideCodes)[number];
export type KnownErrorCode = SidecarSideCode | MainSideCode;

const MAIN_SIDE: ReadonlySet<string> = new Set<string>(MainSideCodes);

/** True when only main may report `code`, so an answer from a sidecar carrying it is not believed. */
export function isMainSideCode(code: string): code is MainSideCode {
  return MAIN_SIDE.has(code);
}
