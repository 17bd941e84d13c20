/**
 * Registry behaviour as a caller sees it: manifests registered through DI, several sidecars at
 * once, params and result validation (nothing sent on bad params), clear startup errors for
 * invalid or duplicate manifests, typed clients, swapping collaborators through the container, and
 * sidecar-side errors passed through as SidecarErrors.
 */
import { SidecarError, SchemaValidatorToken, type ISchemaValidator, type JsonSchema } from '../registry';
import { AjvSchemaValidator } from '../registry/internal';
import { fakeManifest } from './fixtures/fake-manifest';
import { makeRegistry, rejectionOf } from './helpers';

describe('registry', () => {
  test('two sidecars registered at once both answer, each as itself', async () => {
    const registry = makeRegistry([fakeManifest('alpha'), fakeManifest('beta')]);
    expect(registry.names()).toEqual(['alpha', 'beta']);
    const [a, b] = await Promise.all([
      registry.call('alpha', 'test/echo', { value: 'to alpha' }),
      registry.call('beta', 'test/echo', { value: 'to beta' }),
    ]);
    expect(a).toEqual({ value: 'to alpha' });
    expect(b).toEqual({ value: 'to beta' });
    expect(await registry.call('alpha', '$/describe')).toMatchObject({ name: 'alpha' });
    expect(await registry.call('beta', '$/describe')).toMatchObject({ name: 'beta' });
    expect(registry.supervisor('alpha').pid).not.toBe(registry.supervisor('beta').pid);
  });

  test('invalid params are refused with the field path and nothing is sent', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const e = await rejectionOf(registry.call('fake', 'test/sleep', { ms: -5 }));
    expect(e).toBeInstanceOf(SidecarError);
    expect(e.code).toBe('INVALID_PARAMS');
    expect(e.message).toContain('/ms');
    expect(e.data.issues[0].path).toBe('/ms');
    const extra = await rejectionOf(registry.call('fake', 'test/echo', { value: 'x', nope: 1 }));
    expect(extra.code).toBe('INVALID_PARAMS');
    expect(extra.message).toContain('/nope');
    // Nothing was sent: the sidecar was never even started.
    expect(registry.supervisor('fake').state).toBe('idle');
    expect(registry.supervisor('fake').pid).toBeUndefined();
  });

  test('a result that breaks its schema is INVALID_RESULT', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const e = await rejectionOf(registry.call('fake', 'test/badResult', {}));
    expect(e.code).toBe('INVALID_RESULT');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('/value');
  });

  test('unknown methods and sidecars are clear errors', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const m = await rejectionOf(registry.call('fake', 'test/nope', {}));
    expect(m.code).toBe('METHOD_NOT_FOUND');
    expect(m.message).toContain('test/echo');
    const s = await rejectionOf(registry.call('nobody', 'test/echo', { value: '' }));
    expect(s.code).toBe('SIDECAR_UNAVAILABLE');
    expect(s.message).toContain('registered: fake');
  });

  test('a sidecar-side error keeps its code, sidecar and method', async () => {
    const registry = makeRegistry([fakeManifest()]);
    const e = await rejectionOf(registry.call('fake', 'test/fail', { code: 'NOT_FOUND', message: 'no such thing' }));
    expect(e).toBeInstanceOf(SidecarError);
    expect(e).toMatchObject({ code: 'NOT_FOUND', sidecar: 'fake', method: 'test/fail', retryable: false });
    expect(e.message).toContain('no such thing');
  });

  test('two manifests with one name fail at startup', () => {
    expect(() => makeRegistry([fakeManifest('same'), fakeManifest('same')])).toThrow(/two sidecar manifests are named "same"/);
  });

  test('an invalid manifest is rejected naming the field', () => {
    const bad = fakeManifest('bad');
    (bad.methods['test/echo'] as { timeoutMs?: unknown }).timeoutMs = 'soon';
    let error: unknown;
    try {
      makeRegistry([bad]);
    } catch (e) {
      error = e;
    }
    expect(SidecarError.is(error, 'INVALID_MANIFEST')).toBe(true);
    expect((error as Error).message).toContain('/methods/test~1echo/timeoutMs');
    expect(() => makeRegistry([{ ...fakeManifest('Upper-Case') }])).toThrow(/\/name/);
  });

  test('a partial schema that is not a schema makes the manifest invalid', () => {
    const manifest = fakeManifest();
    (manifest.methods['test/stream'] as { partial: unknown }).partial = 'items';
    expect(() => makeRegistry([manifest])).toThrow(/\/methods\/test~1stream\/partial/);
  });

  test('validators are compiled once per method and event, through a validator swapped in the container', async () => {
    let compiled = 0;
    const counting: ISchemaValidator = {
      compile(schema: JsonSchema, label: string) {
        compiled++;
        return new AjvSchemaValidator().compile(schema, label);
      },
    };
    const manifest = fakeManifest();
    const registry = makeRegistry([manifest], {}, (c) => c.register(SchemaValidatorToken, { useValue: counting }));
    const atStartup = compiled;
    // manifest schema + params and result of every method + the chunk schema of each that streams
    // + the payload schema of every declared event
    const streaming = Object.values(manifest.methods).filter((m) => m.partial).length;
    const events = Object.keys(manifest.events ?? {}).length;
    expect(streaming).toBeGreaterThan(0);
    expect(events).toBeGreaterThan(0);
    expect(atStartup).toBe(1 + 2 * Object.keys(manifest.methods).length + streaming + events);
    for (let i = 0; i < 20; i++) await registry.call('fake', 'test/echo', { value: String(i) });
    for (let i = 0; i < 3; i++) await registry.call('fake', 'test/stream', { count: 2 }, { onPartial: () => undefined });
    await registry.call('fake', 'test/emit', { event: 'test/tick', count: 3 });
    expect(compiled).toBe(atStartup);
  });

  test('a typed client returns the manifest-typed result', async () => {
    const manifest = fakeManifest();
    const registry = makeRegistry([manifest]);
    const client = registry.client(manifest);
    const result = await client.call('test/echo', { value: 'typed' });
    const value: string = result.value;
    expect(value).toBe('typed');
  });

  test('a missing binary is BINARY_NOT_FOUND listing the candidates, and the sidecar stays idle', async () => {
    const manifest = { ...fakeManifest('ghost'), binary: { name: 'skaffa-no-such-sidecar' } };
    const registry = makeRegistry([manifest], { resolve: { env: {}, repoRoot: '/nonexistent-repo' } });
    const e = await rejectionOf(registry.call('ghost', 'test/echo', { value: 'x' }));
    expect(e).toMatchObject({ code: 'BINARY_NOT_FOUND', sidecar: 'ghost', retryable: false });
    expect(e.message).toContain('/nonexistent-repo/target/debug/skaffa-no-such-sidecar (missing)');
    expect(e.message).toContain('cargo build');
    expect(registry.supervisor('ghost').state).toBe('idle');
    expect(registry.list()[0].binary.error).toContain('no executable found');
  });

  test('a launch function that refuses its options gives SIDECAR_UNAVAILABLE with the reason', async () => {
    const manifest = fakeManifest('picky');
    manifest.launch = () => {
      throw new Error('needs launch option "workspaceRoot"');
    };
    const registry = makeRegistry([manifest]);
    const e = await rejectionOf(registry.call('picky', 'test/echo', { value: 'x' }));
    expect(e.code).toBe('SIDECAR_UNAVAILABLE');
    expect(e.message).toContain('needs launch option "workspaceRoot"');
  });

  test('list() shows each sidecar, its resolved binary and state', async () => {
    const registry = makeRegistry([fakeManifest('alpha')]);
    const [info] = registry.list();
    expect(info).toMatchObject({ name: 'alpha', state: 'idle', binary: { path: process.execPath, source: 'command' } });
    expect(info.methods).toContain('test/echo');
    await registry.start();
    expect(registry.list()[0].state).toBe('ready');
  });
});
