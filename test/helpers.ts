/**
 * Shared test helpers: a registry built in a child container (so tests never share registrations),
 * polling with a generous deadline instead of sleeping, waiting for one event, and checking
 * whether a process is still alive. Registries made here are disposed after each test.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import { container as root, type DependencyContainer } from 'tsyringe';
import {
  createSidecarRegistry,
  LoggerToken,
  NullLogger,
  registerSidecar,
  registerSidecarDefaults,
  type ISidecarRegistry,
  type SidecarDefaults,
  type SidecarManifest,
  type SupervisorEvents,
} from '../registry';

const live: ISidecarRegistry[] = [];

afterEach(async () => {
  await Promise.all(live.splice(0).map((r) => r.dispose()));
});

/** A child container with the defaults and a silent logger; `configure` may override anything. */
export function testContainer(defaults: SidecarDefaults = {}, configure?: (c: DependencyContainer) => void): DependencyContainer {
  const c = root.createChildContainer();
  registerSidecarDefaults(c, defaults);
  c.register(LoggerToken, { useValue: new NullLogger() });
  configure?.(c);
  return c;
}

/** A registry over `manifests`, disposed automatically after the test. */
export function makeRegistry(
  manifests: SidecarManifest<any>[],
  defaults: SidecarDefaults = {},
  configure?: (c: DependencyContainer) => void,
): ISidecarRegistry {
  const c = testContainer(defaults, configure);
  for (const m of manifests) registerSidecar(c, m);
  const registry = createSidecarRegistry(c);
  live.push(registry);
  return registry;
}

/** Polls `predicate` every 10 ms until it is true, failing after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with the first `name` event of `registry` that matches `filter`. */
export function nextEvent<K extends keyof SupervisorEvents>(
  registry: ISidecarRegistry,
  name: K,
  filter: (e: SupervisorEvents[K]) => boolean = () => true,
): Promise<SupervisorEvents[K]> {
  return new Promise((resolve) => {
    const sub = registry.on(name, (e) => {
      if (filter(e)) {
        sub.dispose();
        resolve(e);
      }
    });
  });
}

/** True while a process with `pid` runs. A zombie (dead, not yet reaped by whoever adopted it)
 * counts as dead: it holds no resources and runs no code. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Captures the rejection of `p` (failing if it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}
