/**
 * Events declared in a manifest (`events`, one schema per name) are typed for `onEvent` and checked
 * on arrival: a valid one is delivered; one that breaks its schema, or whose name the manifest does
 * not declare, is a protocol error (`invalid-event`): counted in `health().protocolErrors`, emitted
 * as `protocolError`, and never delivered. The positive control is the same fake without `events`:
 * the very same payloads are then delivered, so it is the check that stops them. The fake writes
 * events before the answer of `test/emit` on the same stdout, so when the call resolves they have
 * been handled, and a valid tick sent last shows that nothing before it is still on its way.
 */
import { defineSidecar, SidecarError, type EventSpec, type MethodSpec, type SidecarManifest, type SupervisorEvents } from '../registry';
import { fakeManifest } from './fixtures/fake-manifest';
import { makeRegistry, rejectionOf } from './helpers';

/** The fake's manifest with no `events`: it declares nothing, so nothing is checked. */
function undeclaring() {
  const { events: _events, ...rest } = fakeManifest();
  return defineSidecar(rest);
}

/** A registry over `manifest`, its typed client, and the protocol errors and `test/tick` payloads it sees. */
function start<M extends Record<string, MethodSpec<any, any>>, E extends Record<string, EventSpec<any>>>(manifest: SidecarManifest<M, E>) {
  const registry = makeRegistry([manifest]);
  const errors: SupervisorEvents['protocolError'][] = [];
  registry.on('protocolError', (e) => void errors.push(e));
  const ticks: unknown[] = [];
  registry.on('event', (e) => void (e.event === 'test/tick' && ticks.push(e.data)));
  return { registry, client: registry.client(manifest), errors, ticks };
}

test('a declared event with a valid payload reaches a typed listener', async () => {
  const { registry, client, errors, ticks } = start(fakeManifest());
  const seqs: number[] = [];
  // The payload is typed from the manifest: `d.seq` is a number, `d.n` a number or undefined.
  client.onEvent('test/tick', (d) => void seqs.push(d.seq * 10 + (d.n ?? 0)));
  // @ts-expect-error an event the manifest does not declare cannot be listened to
  client.onEvent('test/undeclared', () => undefined);
  await client.call('test/emit', { event: 'test/tick', data: { n: 7 }, count: 2 });
  expect(seqs).toEqual([7, 17]);
  expect(ticks).toEqual([{ n: 7, seq: 0 }, { n: 7, seq: 1 }]);
  expect(errors).toEqual([]);
  expect(registry.supervisor('fake').health().protocolErrors).toBe(0);
});

test('an event that breaks its schema is not delivered; it is counted and reported as invalid-event', async () => {
  const { registry, client, errors, ticks } = start(fakeManifest());
  await client.call('test/emit', { event: 'test/tick', data: { n: 'not a number' } });
  await client.call('test/emit', { event: 'test/tick', data: { n: 1 } });
  expect(ticks).toEqual([{ n: 1, seq: 0 }]);
  expect(registry.supervisor('fake').health().protocolErrors).toBe(1);
  expect(errors).toEqual([{ sidecar: 'fake', kind: 'invalid-event', detail: 'event "test/tick" breaks its schema: /n: must be integer' }]);
});

test('an event the manifest does not declare is not delivered; it is counted and reported as invalid-event', async () => {
  const { registry, errors } = start(fakeManifest());
  const seen: string[] = [];
  registry.supervisor('fake').on('event', (e) => void seen.push(e.event));
  await registry.call('fake', 'test/emit', { event: 'test/other', data: { n: 1 }, count: 2 });
  await registry.call('fake', 'test/emit', { event: 'test/tick' });
  expect(seen).toEqual(['test/tick']);
  expect(registry.health()[0].protocolErrors).toBe(2);
  expect(errors.map((e) => e.kind)).toEqual(['invalid-event', 'invalid-event']);
  expect(errors[0].detail).toBe('event "test/other" is not declared in the manifest (declared: test/tick)');
});

test('positive control: without declared events the same payloads are delivered and nothing is counted', async () => {
  const { registry, client, errors, ticks } = start(undeclaring());
  const others: unknown[] = [];
  client.onEvent('test/other', (d) => void others.push(d));
  await client.call('test/emit', { event: 'test/tick', data: { n: 'not a number' } });
  await client.call('test/emit', { event: 'test/other', data: { n: 1 } });
  expect(ticks).toEqual([{ n: 'not a number', seq: 0 }]);
  expect(others).toEqual([{ n: 1, seq: 0 }]);
  expect(errors).toEqual([]);
  expect(registry.supervisor('fake').health().protocolErrors).toBe(0);
});

test('a manifest whose events are malformed fails at startup, naming the field', async () => {
  const badName = { ...fakeManifest(), events: { 'has space': { type: 'object' } } };
  const nameError = await rejectionOf(Promise.resolve().then(() => makeRegistry([badName])));
  expect(SidecarError.is(nameError, 'INVALID_MANIFEST')).toBe(true);
  expect(nameError.message).toMatch(/sidecar manifest "fake" is invalid: \/events/);
  const badSchema = { ...fakeManifest(), events: { 'test/tick': { type: 'no-such-type' } } };
  const schemaError = await rejectionOf(Promise.resolve().then(() => makeRegistry([badSchema])));
  expect(schemaError.message).toMatch(/invalid JSON Schema for fake event test\/tick/);
  // The same manifest with well-formed events starts (the control for both).
  expect(makeRegistry([fakeManifest()]).names()).toEqual(['fake']);
});
