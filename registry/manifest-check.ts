/**
 * Startup checks of the registered manifests, so that a mistake in one surfaces as one clear error
 * when the app starts rather than as a strange failure on first use: each manifest is checked
 * against `manifest.schema.json` (the error names the field: a method or event name that is not
 * namespaced, an event schema that is not an object…), `launch` must be a function, and no two
 * manifests may share a name. Each feed must name a registered producer, an event that producer
 * declares (when it declares events) and methods its consumer declares. The registry then compiles every method and event schema, so an
 * invalid JSON Schema fails at startup too.
 */
import { SidecarError } from '../core/errors';
import schema from './manifest.schema.json';
import type { FeedSpec, SidecarManifest } from './manifest';
import { formatIssues, type ISchemaValidator } from './validation/contract';

/** Throws `SidecarError('INVALID_MANIFEST')` for the first problem found. */
export function checkManifests(manifests: SidecarManifest[], validator: ISchemaValidator): void {
  const check = validator.compile(schema, 'the manifest schema');
  const seen = new Set<string>();
  manifests.forEach((m, index) => {
    const label = typeof m?.name === 'string' ? `"${m.name}"` : `#${index + 1}`;
    const issues = check(m);
    if (issues.length > 0) {
      throw new SidecarError('INVALID_MANIFEST', `sidecar manifest ${label} is invalid: ${formatIssues(issues)}`, {
        sidecar: typeof m?.name === 'string' ? m.name : undefined,
        data: { issues },
      });
    }
    if (m.launch !== undefined && typeof m.launch !== 'function') {
      throw new SidecarError('INVALID_MANIFEST', `sidecar manifest ${label} is invalid: /launch: must be a function`, { sidecar: m.name });
    }
    if (seen.has(m.name)) {
      throw new SidecarError('DUPLICATE_SIDECAR', `two sidecar manifests are named "${m.name}"; names must be unique`, { sidecar: m.name });
    }
    seen.add(m.name);
  });
  manifests.forEach((m) => m.feeds?.forEach((feed, index) => checkFeed(m, feed, index, manifests)));
}

/** Throws `INVALID_MANIFEST` when feed #`index` of `consumer` cannot work with what is registered. */
function checkFeed(consumer: SidecarManifest, feed: FeedSpec, index: number, manifests: SidecarManifest[]): void {
  const fail = (problem: string) => {
    throw new SidecarError('INVALID_MANIFEST', `sidecar manifest "${consumer.name}" is invalid: /feeds/${index}: ${problem}`, {
      sidecar: consumer.name,
      data: { feed },
    });
  };
  const producer = manifests.find((p) => p.name === feed.from);
  if (!producer) fail(`feeds from "${feed.from}", which is not registered (registered: ${manifests.map((p) => p.name).join(', ')})`);
  const events = producer?.events && Object.keys(producer.events);
  if (events && !events.includes(feed.event)) {
    fail(`"${feed.from}" does not declare the event "${feed.event}" (declared: ${events.join(', ') || 'none'})`);
  }
  for (const name of [feed.method, feed.resync]) {
    if (name !== undefined && !Object.keys(consumer.methods).includes(name)) {
      fail(`method "${name}" is not declared by "${consumer.name}" (has: ${Object.keys(consumer.methods).join(', ')})`);
    }
  }
}
