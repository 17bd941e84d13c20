/**
 * `skaffa-sidecars/internal`: the implementations behind the public contracts (the connection and
 * its reader/writer, the supervisor and its backoff, the default registry, binary resolver, schema
 * validator and process spawner, the remote command helpers), for the repository's tests, tools
 * and benchmarks. UNSTABLE: any name here may change or go away in any release, patch releases
 * included. Apps use `skaffa-sidecars` and swap an implementation through its DI token instead.
 */
import 'reflect-metadata';

export { classifyIncoming, type IncomingMessage } from '../core/protocol';
export { startResultStream, type StreamedCall } from '../core/result-stream';
export { DisposableStore, subscribe, toDisposable } from '../core/events';
export { SystemClock } from '../core/clock';
export { NodeProcessSpawner } from '../core/process/node-spawner';
export { ABANDONED_TTL_MS, Connection, type ConnectionHooks, type RequestOptions } from '../core/transport/connection';
export { DEFAULT_MAX_LINE_BYTES, readMessages, type ReaderSink } from '../core/transport/reader';
export { MessageWriter } from '../core/transport/writer';
export { Supervisor, type Launcher, type SupervisorDeps } from '../core/supervisor/supervisor';
export { backoffDelay, CrashWindow } from '../core/supervisor/backoff';
export { isScrubbed, sidecarEnv } from './env';
export { DefaultBinaryResolver } from './binary/resolver';
export { AjvSchemaValidator } from './validation/ajv-validator';
export { formatIssues } from './validation/contract';
export { SidecarRegistry } from './registry';
export { parseTransport, remoteCommand, shellQuote, splitWords, type TransportCommand, type TransportKind } from './remote/command';
export { parseUname, triplesFor, type RemotePlatform } from './remote/targets';
