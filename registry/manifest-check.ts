/**
 * Startup checks of the registered manifests, so that a mistake in one surfaces as one clear error
 * when the app starts rather than as a strange failure on first use: each manifest is checked
 * against `manifest.schema.json` (the error names the field: a method or event name that is not
 * namespaced, an event schema that is not an object…), `launch` must be a function, and no two
 * manifests may share a name. The registry then compiles every method and event schema, so an
 * invalid JSON Schema fails at startup too.
 */
import { SidecarError } from '../core/errors';
import schema from './manifest.schema.json';
import type { SidecarManifest } from './manifest';
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
}
