/**
 * Public surface of remote launching: the `RemoteTransport` an app passes as launch option
 * `transport`, its options and events, the error codes it adds, and the command helpers.
 */
export { RemoteTransport, type ProvisionResult, type RemoteTransportEvents, type RemoteTransportOptions } from './transport';
export { RemoteErrorCodes, type RemoteErrorCode } from './errors';
export { parseTransport, remoteCommand, shellQuote, splitWords, type CommandStyle, type TransportCommand, type TransportKind } from './command';
export { hostTriple, parseUname, triplesFor, type RemotePlatform } from './targets';
export { SIDECAR_VERSION } from './version';
