/**
 * The one step every typed sidecar API repeats: a method's options object mixes the call options
 * (`signal`, `timeoutMs`), which go to the registry, with the method's own params, which go on the
 * wire. Splitting them in one place keeps the sidecars' APIs (workspace, typescript) thin and alike;
 * it is a helper of those APIs, not part of the registry's exports.
 */
import type { CallOptions } from '../core/supervisor/contract';

/** The call options every sidecar API method accepts. */
export interface ApiCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** `[params, callOptions]`: the method's own fields of `options`, and the registry's. */
export function splitCallOptions<O extends ApiCallOptions>(options: O): [Omit<O, keyof ApiCallOptions>, CallOptions] {
  const { signal, timeoutMs, ...params } = options;
  return [params, { signal, timeoutMs }];
}
