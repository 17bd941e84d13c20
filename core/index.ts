/**
 * Public surface of `core/`: the wire protocol types, the error type, events and disposables, the
 * clock/logger/process seams with their DI tokens, the transport and the generic supervisor.
 */
export * from './protocol';
export * from './errors';
export * from './result-stream';
export * from './events';
export * from './clock';
export * from './logger';
export * from './process/contract';
export { NodeProcessSpawner } from './process/node-spawner';
export * from './transport/connection';
export { readMessages, DEFAULT_MAX_LINE_BYTES, type ReaderSink } from './transport/reader';
export { MessageWriter } from './transport/writer';
export * from './supervisor/contract';
export { Supervisor, type Launcher, type SupervisorDeps } from './supervisor/supervisor';
export { backoffDelay, CrashWindow } from './supervisor/backoff';
