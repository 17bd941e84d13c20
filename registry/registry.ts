/**
 * The registry: it resolves every manifest registered under `SidecarManifestToken`, checks them,
 * compiles each method's params, result and chunk schemas once, and owns one generic supervisor
 * per sidecar. A call is validated before anything is sent (`INVALID_PARAMS`, with the field's
 * path), and its result, like each chunk of a streamed answer, is validated on arrival
 * (`INVALID_RESULT`). So is each event of a manifest that declares its events: one that breaks its
 * schema, or is not declared, is a protocol error and never delivered. The registry knows no sidecar by name:
 * adding one is a manifest and a registration.
 */
import 'reflect-metadata';
import { inject, injectAll, injectable } from 'tsyringe';
import { ClockToken, type IClock } from '../core/clock';
import { SidecarError } from '../core/errors';
import { startResultStream, type ResultStream } from '../core/result-stream';
import { DisposableStore, type Disposable, type Listener } from '../core/events';
import { LoggerToken, type ILogger } from '../core/logger';
import { ProcessSpawnerToken, type IProcessSpawner, type SpawnRequest } from '../core/process/contract';
import { BuiltinMethods } from '../core/protocol';
import {
  DEFAULT_SUPERVISOR_OPTIONS,
  type CallOptions,
  type ISupervisor,
  type MethodPolicy,
  type SidecarHealth,
  type StopOptions,
  type SupervisorEvents,
  type SupervisorOptions,
} from '../core/supervisor/contract';
import { Supervisor } from '../core/supervisor/supervisor';
import { BinaryResolverToken, ResolveContextToken, type IBinaryResolver, type ResolveContext } from './binary/contract';
import type { FeedStatus, ISidecarRegistry, SidecarClient, SidecarInfo, StreamOptions } from './contract';
import { Feeds } from './feeds';
import {
  LaunchOptionsToken,
  SidecarManifestToken,
  SupervisorDefaultsToken,
  type EventSpec,
  type LaunchOptions,
  type MethodSpec,
  type SidecarManifest,
} from './manifest';
import { sidecarEnv } from './env';
import { Containment } from './launch/contain';
import { checkManifests } from './manifest-check';
import { formatIssues, SchemaValidatorToken, type CompiledValidator, type ISchemaValidator } from './validation/contract';

interface CompiledMethod {
  params: CompiledValidator;
  result: CompiledValidator;
  /** Present only for methods that stream. */
  partial?: CompiledValidator;
}

interface Entry {
  manifest: SidecarManifest;
  supervisor: Supervisor;
  methods: Map<string, CompiledMethod>;
}

const BUILTINS: ReadonlySet<string> = new Set(Object.values(BuiltinMethods));

@injectable()
export class SidecarRegistry implements ISidecarRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly feedRouter: Feeds;
  private disposing?: Promise<void>;
  private readonly containment: Containment;

  constructor(
    @injectAll(SidecarManifestToken) manifests: SidecarManifest[],
    @inject(SchemaValidatorToken) validator: ISchemaValidator,
    @inject(BinaryResolverToken) private readonly resolver: IBinaryResolver,
    @inject(ResolveContextToken) private readonly resolveContext: ResolveContext,
    @inject(ProcessSpawnerToken) spawner: IProcessSpawner,
    @inject(ClockToken) clock: IClock,
    @inject(LoggerToken) logger: ILogger,
    @inject(LaunchOptionsToken) private readonly launchOptions: LaunchOptions,
    @inject(SupervisorDefaultsToken) supervisorDefaults: Partial<SupervisorOptions>,
  ) {
    checkManifests(manifests, validator);
    this.containment = new Containment(resolver, logger, launchOptions);
    for (const manifest of manifests) {
      const methods = new Map<string, CompiledMethod>();
      const policies: Record<string, MethodPolicy> = {};
      for (const [name, spec] of Object.entries(manifest.methods)) {
        methods.set(name, {
          params: validator.compile(spec.params, `${manifest.name} ${name} params`),
          result: validator.compile(spec.result as Record<string, unknown>, `${manifest.name} ${name} result`),
          partial: spec.partial && validator.compile(spec.partial as Record<string, unknown>, `${manifest.name} ${name} partial`),
        });
        policies[name] = { timeoutMs: spec.timeoutMs, idempotent: spec.idempotent };
      }
      const options = mergeOptions(supervisorDefaults, manifest);
      const checkEvent = manifest.events && eventChecker(manifest.name, manifest.events, validator);
      const supervisor = new Supervisor(manifest.name, () => this.launchRequest(manifest), policies, options, { spawner, clock, logger, checkEvent });
      this.entries.set(manifest.name, { manifest, supervisor, methods });
    }
    // Feeds (feeds.ts) use the supervisors and the validated call path, like any caller.
    this.feedRouter = new Feeds(manifests, { supervisor: (n) => this.supervisor(n), call: (s, m, p) => this.call(s, m, p), logger });
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  supervisor(name: string): ISupervisor {
    return this.entry(name).supervisor;
  }

  async call(sidecar: string, method: string, params: Record<string, unknown> = {}, options?: CallOptions): Promise<unknown> {
    const entry = this.entry(sidecar);
    if (BUILTINS.has(method)) return entry.supervisor.call(method, params, options);
    const compiled = entry.methods.get(method);
    if (!compiled) {
      throw new SidecarError('METHOD_NOT_FOUND', `no method ${method} in the manifest (has: ${[...entry.methods.keys()].join(', ')})`, {
        sidecar,
        method,
      });
    }
    const paramIssues = compiled.params(params);
    if (paramIssues.length > 0) {
      throw new SidecarError('INVALID_PARAMS', `invalid params: ${formatIssues(paramIssues)}`, { sidecar, method, data: { issues: paramIssues } });
    }
    const result = await entry.supervisor.call(method, params, this.streamOptions(sidecar, method, compiled, options));
    const resultIssues = compiled.result(result);
    if (resultIssues.length > 0) {
      throw new SidecarError('INVALID_RESULT', `the sidecar answered with a result that breaks its schema: ${formatIssues(resultIssues)}`, {
        sidecar,
        method,
        data: { issues: resultIssues },
      });
    }
    return result;
  }

  stream(sidecar: string, method: string, params: Record<string, unknown> = {}, options: StreamOptions = {}): ResultStream<unknown, unknown> {
    const { signal, ...rest } = options;
    return startResultStream((onPartial, abort) => this.call(sidecar, method, params, { ...rest, signal: abort, onPartial }), signal);
  }

  /**
   * The call options the supervisor gets: for a method that streams, the caller's `onPartial`
   * behind a check of each chunk against the method's partial schema (a chunk that breaks it
   * fails the call with `INVALID_RESULT` and cancels it); for one that does not, no `onPartial`
   * at all, so the request goes out without `"stream"` and the whole answer is the result.
   */
  private streamOptions(sidecar: string, method: string, compiled: CompiledMethod, options?: CallOptions): CallOptions | undefined {
    const caller = options?.onPartial;
    if (!caller) return options;
    const check = compiled.partial;
    if (!check) return { ...options, onPartial: undefined };
    return {
      ...options,
      onPartial: (chunk) => {
        const issues = check(chunk);
        if (issues.length > 0) {
          throw new SidecarError('INVALID_RESULT', `the sidecar sent a partial answer that breaks its schema: ${formatIssues(issues)}`, {
            sidecar,
            method,
            data: { issues, partial: true },
          });
        }
        caller(chunk);
      },
    };
  }

  client<M extends Record<string, MethodSpec<any, any>>, E extends Record<string, EventSpec<any>>>(manifest: SidecarManifest<M, E>): SidecarClient<M, E> {
    const entry = this.entry(manifest.name);
    return {
      name: manifest.name,
      supervisor: entry.supervisor,
      call: (method, params, options) => this.call(manifest.name, method, params as Record<string, unknown>, options) as never,
      stream: (method, params, options) => this.stream(manifest.name, method, params as Record<string, unknown>, options) as never,
      // Only events that passed the manifest's schemas (when it declares events) reach here.
      onEvent: (event, listener) =>
        entry.supervisor.on('event', (e) => {
          if (e.event === event) listener(e.data as never);
        }),
    };
  }

  async start(names: string[] = this.names()): Promise<void> {
    await Promise.all(names.map((n) => this.entry(n).supervisor.start()));
  }

  list(): SidecarInfo[] {
    return [...this.entries.values()].map(({ manifest, supervisor, methods }) => {
      let binary: SidecarInfo['binary'];
      try {
        const r = this.resolver.resolve(manifest.name, manifest.binary);
        binary = { path: r.path, source: r.source, candidates: r.candidates };
      } catch (e) {
        const candidates = (SidecarError.is(e) && (e.data as { candidates?: SidecarInfo['binary']['candidates'] })?.candidates) || [];
        binary = { error: (e as Error).message, candidates };
      }
      return {
        name: manifest.name,
        description: manifest.description,
        state: supervisor.state,
        pid: supervisor.pid,
        methods: [...methods.keys()],
        binary,
      };
    });
  }

  on<K extends keyof SupervisorEvents>(name: K, listener: Listener<SupervisorEvents[K]>): Disposable {
    const store = new DisposableStore();
    for (const { supervisor } of this.entries.values()) store.add(supervisor.on(name, listener));
    return store;
  }

  health(): SidecarHealth[] {
    return [...this.entries.values()].map((e) => e.supervisor.health());
  }

  feeds(): FeedStatus[] {
    return this.feedRouter.status();
  }

  dispose(options: StopOptions = {}): Promise<void> {
    // Feeds stop first, so nothing is forwarded to a sidecar on its way down.
    this.feedRouter.dispose();
    // Every supervisor refuses new calls from this moment; a second dispose shares the first.
    this.disposing ??= Promise.all([...this.entries.values()].map((e) => e.supervisor.dispose(options))).then(() => undefined);
    return this.disposing;
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (!entry) {
      throw new SidecarError('SIDECAR_UNAVAILABLE', `no sidecar named "${name}" is registered (registered: ${this.names().join(', ') || 'none'})`, {
        sidecar: name,
      });
    }
    return entry;
  }

  /** Resolves the binary and asks the manifest for its launch args, at every (re)start; a launch
   * transport (launch option `transport`) may turn that into a remote launch, and a local one runs
   * under the reaper unless opted out. */
  private launchRequest(manifest: SidecarManifest): SpawnRequest | Promise<SpawnRequest> {
    const binary = this.resolver.resolve(manifest.name, manifest.binary);
    let extra;
    try {
      extra = manifest.launch?.(this.launchOptions) ?? {};
    } catch (e) {
      throw new SidecarError('SIDECAR_UNAVAILABLE', `cannot launch: ${(e as Error).message}`, { sidecar: manifest.name, cause: e });
    }
    const prefix = 'command' in manifest.binary ? (manifest.binary.args ?? []) : [];
    const local: SpawnRequest = {
      command: binary.path,
      args: [...prefix, ...(extra.args ?? [])],
      env: sidecarEnv(this.resolveContext.env, manifest.env, extra.env),
      cwd: extra.cwd,
    };
    const transport = this.launchOptions.transport;
    if (!transport) return this.containment.wrap(manifest, local);
    return transport.prepare({ sidecar: manifest.name, binary: manifest.binary, local, launchEnv: extra.env ?? {}, resolve: this.resolveContext });
  }
}

/**
 * Compiles a manifest's event schemas once and returns the supervisor's check of an arriving
 * event: what is wrong with it (an undeclared name, or the first schema issue), or undefined.
 */
function eventChecker(sidecar: string, events: Record<string, EventSpec>, validator: ISchemaValidator) {
  const compiled = new Map(Object.entries(events).map(([name, schema]) => [name, validator.compile(schema, `${sidecar} event ${name}`)]));
  return (event: string, data: unknown): string | undefined => {
    const check = compiled.get(event);
    if (!check) return `event "${event}" is not declared in the manifest (declared: ${[...compiled.keys()].join(', ') || 'none'})`;
    const issues = check(data);
    return issues.length > 0 ? `event "${event}" breaks its schema: ${formatIssues(issues)}` : undefined;
  };
}

function mergeOptions(defaults: Partial<SupervisorOptions>, manifest: SidecarManifest): SupervisorOptions {
  return {
    ...DEFAULT_SUPERVISOR_OPTIONS,
    ...defaults,
    ...manifest.supervisor,
    restart: { ...DEFAULT_SUPERVISOR_OPTIONS.restart, ...defaults.restart, ...manifest.restart },
  };
}
