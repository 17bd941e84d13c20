/**
 * The workspace sidecar's snapshot folder. First without a sidecar: `defaultCacheDir` for every OS
 * (modelled with path.posix/path.win32 from one machine), the manifest's `--cache-dir`, and the
 * launch options WorkspaceHost gives each folder (its default, `null`, a folder of its own, the
 * app's explicit launch option, a transport). Then end to end on the real binary: a restart
 * answers from the snapshot and catches up with what changed while no sidecar ran; no folder,
 * a folder that is a file and a second sidecar on the same snapshot each say so in
 * `status.cache` while the sidecar keeps working.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { container, type DependencyContainer } from 'tsyringe';
import { LaunchOptionsToken, LoggerToken, NullLogger, type LaunchTransport } from '../../registry';
import {
  defaultCacheDir,
  WorkspaceHost,
  workspaceManifest,
  type CacheDirInputs,
  type FileChange,
  type StatusResult,
  type WorkspaceAPI,
  type WorkspaceHostOptions,
} from '../../sidecars/workspace';
import { waitFor } from '../helpers';
import { fingerprint, makeWorkspace, writeFile } from './fixture';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  dirs.push(dir);
  return dir;
}

const quiet = (c: DependencyContainer) => c.register(LoggerToken, { useValue: new NullLogger() });

describe('defaultCacheDir', () => {
  const linux = (env: CacheDirInputs['env'], homedir: string | undefined) => defaultCacheDir({ platform: 'linux', env, homedir, appName: 'Acme Editor' });

  test('linux and other unixes: $XDG_CACHE_HOME/<app> when it is absolute, else ~/.cache/<app>', () => {
    expect(linux({ XDG_CACHE_HOME: '/var/cache/ada' }, '/home/ada')).toBe('/var/cache/ada/Acme Editor');
    expect(linux({ XDG_CACHE_HOME: 'relative/cache' }, '/home/ada')).toBe('/home/ada/.cache/Acme Editor'); // the spec says ignore it
    expect(linux({ XDG_CACHE_HOME: '' }, '/home/ada')).toBe('/home/ada/.cache/Acme Editor');
    expect(linux({}, '/home/ada')).toBe('/home/ada/.cache/Acme Editor');
    expect(defaultCacheDir({ platform: 'freebsd', env: {}, homedir: '/usr/home/ada', appName: 'acme' })).toBe('/usr/home/ada/.cache/acme');
  });

  test('darwin: ~/Library/Caches/<app>, whatever XDG_CACHE_HOME says', () => {
    expect(defaultCacheDir({ platform: 'darwin', env: { XDG_CACHE_HOME: '/x' }, homedir: '/Users/ada', appName: 'Acme Editor' })).toBe(
      '/Users/ada/Library/Caches/Acme Editor',
    );
  });

  test('win32: %LOCALAPPDATA%\\<app>\\Cache, else the same under the home folder', () => {
    const win = (env: CacheDirInputs['env'], homedir: string | undefined) => defaultCacheDir({ platform: 'win32', env, homedir, appName: 'Acme Editor' });
    expect(win({ LOCALAPPDATA: 'D:\\Profiles\\ada\\Local' }, 'C:\\Users\\ada')).toBe('D:\\Profiles\\ada\\Local\\Acme Editor\\Cache');
    expect(win({}, 'C:\\Users\\ada')).toBe('C:\\Users\\ada\\AppData\\Local\\Acme Editor\\Cache');
    expect(win({ LOCALAPPDATA: 'Local' }, 'C:\\Users\\ada')).toBe('C:\\Users\\ada\\AppData\\Local\\Acme Editor\\Cache'); // relative: ignored
    expect(win({ LOCALAPPDATA: 'D:\\Local' }, undefined)).toBe('D:\\Local\\Acme Editor\\Cache'); // no home needed then
  });

  test('undefined when nothing usable is known: no home folder (or a relative one) and no variable', () => {
    expect(linux({}, undefined)).toBeUndefined();
    expect(linux({}, '')).toBeUndefined();
    expect(linux({}, 'ada')).toBeUndefined();
    expect(linux({ XDG_CACHE_HOME: '/var/cache/ada' }, undefined)).toBe('/var/cache/ada/Acme Editor');
    expect(defaultCacheDir({ platform: 'darwin', env: {}, homedir: undefined, appName: 'a' })).toBeUndefined();
    expect(defaultCacheDir({ platform: 'win32', env: {}, homedir: '', appName: 'a' })).toBeUndefined();
  });
});

describe('launch arguments', () => {
  const argsOf = (options: Record<string, unknown>) => workspaceManifest.launch!({ workspaceRoot: '/w', ...options }).args;

  test('the manifest passes workspaceCacheDir as --cache-dir, and nothing without one', () => {
    expect(argsOf({ workspaceCacheDir: '/c/acme' })).toEqual(['--root', '/w', '--cache-dir', '/c/acme']);
    expect(argsOf({})).toEqual(['--root', '/w']);
    expect(argsOf({ workspaceCacheDir: '' })).toEqual(['--root', '/w']);
  });

  /** The launch options a host gives a folder, and the args the manifest makes of them (no sidecar starts). */
  async function hostLaunch(options: WorkspaceHostOptions): Promise<{ cacheDir: unknown; args: string[] | undefined }> {
    const root = tempDir('skaffa-cachedir-root-');
    const host = new WorkspaceHost({ container, configure: quiet, ...options });
    try {
      host.open(root);
      const launch = host.resolve(root, LaunchOptionsToken)!;
      expect(launch.workspaceRoot).toBe(root);
      return { cacheDir: launch.workspaceCacheDir, args: workspaceManifest.launch!(launch).args };
    } finally {
      await host.dispose();
    }
  }

  /**
   * Runs `fn` with these variables in `process.env` (undefined: unset) and `os.homedir()` giving
   * `home` (undefined: throwing, as for a user without a home entry), then restores both. The home
   * folder is modelled with a spy because jest's `process.env` is a copy that libuv never reads.
   */
  async function withEnv<T>(vars: Record<string, string | undefined>, home: string | undefined, fn: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    const set = (values: Record<string, string | undefined>) => {
      for (const [k, v] of Object.entries(values)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
    // The module object itself: `import * as os` gives a namespace whose bindings cannot be redefined.
    const homedir = jest.spyOn(require('node:os') as typeof os, 'homedir').mockImplementation(() => {
      if (home === undefined) throw new Error('ENOENT: no such file or directory, uv_os_homedir');
      return home;
    });
    set(vars);
    try {
      return await fn();
    } finally {
      set(saved);
      homedir.mockRestore();
    }
  }

  // XDG_CACHE_HOME and the home folder decide the default on Linux and the other unixes only.
  const unix = process.platform === 'darwin' || process.platform === 'win32' ? test.skip : test;

  unix("the host's default: this process's cache folder for appName ('skaffa-sidecars' unless named)", async () => {
    const xdg = tempDir('skaffa-cachedir-xdg-');
    const home = tempDir('skaffa-cachedir-home-');
    await withEnv({ XDG_CACHE_HOME: xdg }, home, async () => {
      const cacheDir = `${xdg}/skaffa-sidecars`;
      expect(await hostLaunch({})).toEqual({ cacheDir, args: expect.arrayContaining(['--cache-dir', cacheDir]) });
      expect((await hostLaunch({ appName: 'Acme Editor' })).cacheDir).toBe(`${xdg}/Acme Editor`);
    });
    await withEnv({ XDG_CACHE_HOME: undefined }, home, async () => {
      expect((await hostLaunch({ appName: 'acme' })).cacheDir).toBe(`${home}/.cache/acme`);
    });
    // Nowhere to put it: the sidecar runs uncached rather than writing somewhere surprising.
    await withEnv({ XDG_CACHE_HOME: undefined }, undefined, async () => {
      expect((await hostLaunch({})).args).not.toContain('--cache-dir');
    });
  });

  test('cacheDir null: no --cache-dir; a folder: that folder', async () => {
    const none = await hostLaunch({ cacheDir: null });
    expect(none.cacheDir).toBeUndefined();
    expect(none.args).not.toContain('--cache-dir');
    const mine = tempDir('skaffa-cachedir-mine-');
    expect(await hostLaunch({ cacheDir: mine, appName: 'ignored' })).toMatchObject({ cacheDir: mine, args: expect.arrayContaining(['--cache-dir', mine]) });
  });

  test("the app's own launch.workspaceCacheDir wins over cacheDir and the default", async () => {
    const app = tempDir('skaffa-cachedir-app-');
    const mine = tempDir('skaffa-cachedir-mine-');
    expect((await hostLaunch({ defaults: { launch: { workspaceCacheDir: app } } })).cacheDir).toBe(app);
    expect((await hostLaunch({ cacheDir: mine, defaults: { launch: { workspaceCacheDir: app } } })).cacheDir).toBe(app);
    expect((await hostLaunch({ cacheDir: null, defaults: { launch: { workspaceCacheDir: app } } })).cacheDir).toBe(app);
  });

  test("a sidecar run through a transport gets no default (this machine's folder means nothing there), only a folder named for it", async () => {
    const transport = {} as LaunchTransport; // never used: no sidecar starts here
    expect((await hostLaunch({ defaults: { launch: { transport } } })).args).not.toContain('--cache-dir');
    expect((await hostLaunch({ cacheDir: '/far/cache', defaults: { launch: { transport } } })).cacheDir).toBe('/far/cache');
    expect((await hostLaunch({ cacheDir: '/far/cache' })).cacheDir).toBe('/far/cache'); // positive control without one
  });
});

describe('against the real binary', () => {
  const hosts: WorkspaceHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.dispose()));
  });

  function newHost(cacheDir: string | null): WorkspaceHost {
    const host = new WorkspaceHost({ container, configure: quiet, cacheDir });
    hosts.push(host);
    return host;
  }

  /** Polls status until `done` holds, failing with the last status seen at the deadline. */
  async function statusWhen(api: WorkspaceAPI, done: (s: StatusResult) => boolean, what: string): Promise<StatusResult> {
    let last: StatusResult | undefined;
    try {
      await waitFor(async () => done((last = await api.status())), 30_000, what);
    } catch (e) {
      throw new Error(`${(e as Error).message}; last status: ${JSON.stringify(last)}`);
    }
    return last!;
  }
  const ready = (api: WorkspaceAPI) => statusWhen(api, (s) => s.state === 'ready', 'the index to be ready');

  test('a restart answers from the snapshot, then catches up: what was created while no sidecar ran arrives as created', async () => {
    const root = makeWorkspace();
    dirs.push(root);
    const cacheDir = path.join(tempDir('skaffa-cachedir-'), 'cache'); // not there yet: the sidecar makes it
    const before = fingerprint(root);

    const first = newHost(cacheDir);
    const cold = await ready(first.open(root));
    expect(cold.cache.state).toBe('cold'); // nothing to load the first time
    await first.dispose();
    expect(fingerprint(root)).toEqual(before); // the snapshot is never written into the workspace
    // One subfolder for the root, and the folder tagged so backup tools skip it (bford.info/cachedir).
    const perRoot = fs.readdirSync(cacheDir, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(perRoot).toHaveLength(1);
    expect(fs.readFileSync(path.join(cacheDir, 'CACHEDIR.TAG'), 'utf8')).toMatch(/^Signature: 8a477f597d28d172789f06886806bc55/);

    // Nothing changed: the snapshot answers at once and the catch-up confirms every file.
    const second = newHost(cacheDir);
    const api2 = second.open(root);
    const early = await api2.status();
    expect(['verifying', 'warm']).toContain(early.cache.state);
    expect(early.cache.path!.startsWith(path.join(cacheDir, perRoot[0].name) + path.sep)).toBe(true);
    const warm = await statusWhen(api2, (s) => s.state === 'ready' && s.cache.state === 'warm', 'the catch-up to finish warm');
    expect(warm.files).toBe(cold.files);
    await second.dispose();

    writeFile(root, 'src/made-while-down.ts', 'export {};\n');

    const third = newHost(cacheDir);
    const api3 = third.open(root);
    const changes: FileChange[] = [];
    const sub = api3.watch('**', (e) => void changes.push(...e.changes)); // starts the sidecar, subscribed before any event
    try {
      const caughtUp = await statusWhen(api3, (s) => s.state === 'ready' && s.cache.state === 'warm', 'the third run to be warm');
      expect(caughtUp.files).toBe(cold.files + 1);
      await waitFor(
        () => changes.some((c) => c.path === 'src/made-while-down.ts' && c.type === 'created'),
        30_000,
        'the file made while no sidecar ran to arrive as created',
      );
      expect(changes.filter((c) => c.path !== 'src/made-while-down.ts')).toEqual([]); // nothing else changed
      expect((await api3.findFiles('madewhiledown', { waitForIndex: true })).matches.map((m) => m.path)).toEqual(['src/made-while-down.ts']);
    } finally {
      sub.dispose();
    }
  });

  test('cacheDir null: status.cache is off', async () => {
    const root = tempDir('skaffa-cachedir-root-');
    writeFile(root, 'a.txt', 'a\n');
    const status = await ready(newHost(null).open(root));
    expect(status.cache).toEqual({ state: 'off' });
  });

  test('a cache folder that is a regular file is unusable, with a reason, and the sidecar still answers', async () => {
    const root = tempDir('skaffa-cachedir-root-');
    writeFile(root, 'src/needle.ts', 'export {};\n');
    const notAFolder = path.join(tempDir('skaffa-cachedir-'), 'cache');
    fs.writeFileSync(notAFolder, 'I am a file\n');
    const api = newHost(notAFolder).open(root);
    const status = await ready(api);
    expect(status.cache.state).toBe('unusable');
    expect(status.cache.reason).toEqual(expect.any(String));
    expect(status.cache.reason!.length).toBeGreaterThan(0);
    expect((await api.findFiles('needle', { waitForIndex: true })).matches.map((m) => m.path)).toEqual(['src/needle.ts']);
    expect(fs.readFileSync(notAFolder, 'utf8')).toBe('I am a file\n'); // left as it was
  });

  test('two hosts on one root with one cache folder: the second sidecar finds the snapshot locked and works uncached', async () => {
    const root = tempDir('skaffa-cachedir-root-');
    writeFile(root, 'src/needle.ts', 'export {};\n');
    const cacheDir = tempDir('skaffa-cachedir-');
    const a = newHost(cacheDir).open(root);
    const first = await ready(a); // the first sidecar holds the snapshot from here on
    const b = newHost(cacheDir).open(root);
    const second = await ready(b);
    const states = [first.cache.state, second.cache.state];
    expect(states.filter((s) => s === 'locked')).toHaveLength(1);
    for (const api of [a, b]) {
      expect((await api.findFiles('needle', { waitForIndex: true })).matches.map((m) => m.path)).toEqual(['src/needle.ts']);
    }
  });
});
