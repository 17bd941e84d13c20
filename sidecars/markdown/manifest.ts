/**
 * The Markdown sidecar's manifest: the Rust binary `skaffa-markdown` and its two methods with the
 * JSON Schemas in `schema/`. This folder is the template contributors copy to add a Rust sidecar
 * (see docs/add-a-sidecar.md): a crate on the shared protocol crate, schemas, and this file.
 * `markdown/outline` streams (`registry.stream`): chunks of headings as they are found, then the
 * rest in the final result.
 */
import { defineSidecar, method } from '../../registry/manifest';
import outlineParams from './schema/outline.params.json';
import outlinePartial from './schema/outline.partial.json';
import outlineResult from './schema/outline.result.json';
import renderParams from './schema/render.params.json';
import renderResult from './schema/render.result.json';
import type * as T from './types.generated';

// The wire types (MarkdownHeading, OutlineResult…), generated from schema/*.json.
export type * from './types.generated';

export const markdownManifest = defineSidecar({
  name: 'markdown',
  description: 'Markdown outline and HTML rendering (raw HTML escaped by default)',
  binary: { name: 'skaffa-markdown' },
  methods: {
    'markdown/outline': method<T.OutlineParams, T.OutlineResult, T.OutlinePartial>({
      params: outlineParams,
      result: outlineResult,
      partial: outlinePartial,
      timeoutMs: 10_000,
      idempotent: true,
    }),
    'markdown/render': method<T.RenderParams, T.RenderResult>({
      params: renderParams,
      result: renderResult,
      timeoutMs: 10_000,
      idempotent: true,
    }),
  },
});
