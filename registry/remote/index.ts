/**
 * Public surface of remote launching: the `RemoteTransport` an app passes as launch option
 * `transport`, its options and events, the error codes it adds, the host's target triple (the key
 * of its `binaries` option) and the version a remote binary must report. The command helpers are
 * internals (`skaffa-sidecars/internal`).
 */
export { RemoteTransport, type ProvisionResult, type RemoteTransportEvents, type RemoteTransportOptions } from './transport';
export { RemoteErrorCodes, type RemoteErrorCode } from './errors';
export type { CommandStyle } from './command';
export { hostTriple } from './targets';
export { SIDECAR_VERSION } from './version';
