/**
 * Disposables and typed event subscriptions, in the style of VS Code's `onDid*` events. Every
 * subscription in the framework returns a `Disposable`; owners collect theirs in a
 * `DisposableStore` and dispose it once, so nothing keeps listening after its owner is gone.
 */
// `import = require` (not a default import) so these declarations type-check in apps compiled
// without esModuleInterop: emittery's types are `export =`.
import type Emittery = require('emittery');

/** Something that holds a resource or a subscription until `dispose()` is called. */
export interface Disposable {
  dispose(): void;
}

/** Wraps a cleanup function; calling `dispose()` more than once runs it once. */
export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}

/** Collects disposables and disposes all of them together, newest first. */
export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  /** Adds `d` (or disposes it at once if the store is already disposed) and returns it. */
  add<T extends Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.items.push(d);
    return d;
  }

  dispose(): void {
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    for (const d of items) d.dispose();
  }
}

/** A typed listener for one event of an emittery map. */
export type Listener<T> = (data: T) => void | Promise<void>;

/** Subscribes to `name` on `emitter` and returns a Disposable that unsubscribes. */
export function subscribe<M extends Record<string, unknown>, K extends keyof M & string>(
  emitter: Emittery<M>,
  name: K,
  listener: Listener<M[K]>,
): Disposable {
  return toDisposable(emitter.on(name, listener as never));
}
