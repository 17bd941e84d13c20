/**
 * The contracts of `core/`, re-exported by the package root: the wire protocol types and error
 * codes, the error type, disposables, the clock/logger/process seams with their DI tokens and the
 * supervisor's contract. The implementations (connection, reader/writer, supervisor, backoff,
 * spawner) are not here: they are internals, reachable only through `skaffa-sidecars/internal`.
 */
export {
  BuiltinMethods,
  type DescribeResult,
  type ErrorResponse,
  type EventMessage,
  type PartialMessage,
  type RequestMessage,
  type ResponseMessage,
  type SuccessResponse,
  type WireError,
} from './protocol';
export * from './error-codes';
export { SidecarError, type SidecarErrorDetails } from './errors';
export type { ResultStream } from './result-stream';
export type { Disposable, Listener } from './events';
export { ClockToken, type IClock, type TimerHandle } from './clock';
// The two ready-made loggers are part of the contract: apps register one under LoggerToken.
export { ConsoleLogger, LoggerToken, NullLogger, type ILogger, type LogLevel } from './logger';
export * from './process/contract';
export type { ProtocolErrorKind } from './transport/connection';
export * from './supervisor/contract';
