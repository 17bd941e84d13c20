/**
 * Contents of the generated corpus's template files, one per extension: small (under 2 KB) and
 * plausible, so content search finds real-looking lines (identifiers, TODOs, imports) and binary
 * detection sees real binary bytes in .png/.bin.
 */

const ts = `import { createStore, type Store } from '../store';
import { logger } from '../logger';

// TODO: move the retry policy into config once the service settles.
export interface ServiceOptions {
  retries: number;
  timeoutMs: number;
}

export class RequestHandler {
  private readonly store: Store;
  constructor(private readonly options: ServiceOptions) {
    this.store = createStore({ name: 'handler' });
  }

  async handle(query: string): Promise<string[]> {
    for (let attempt = 0; attempt < this.options.retries; attempt++) {
      try {
        return await this.store.search(query);
      } catch (err) {
        logger.warn('search failed', { attempt, err });
      }
    }
    throw new Error('RequestHandler: out of retries');
  }
}
`;

const md = `# Package

Usage notes for this package. Run \`npm test\` before a release.

## API

- \`handle(query)\`: searches the store and retries on failure.
- TODO: document the event stream.
`;

export function templates(ext: string): string | Buffer {
  switch (ext) {
    case '.png':
    case '.bin':
      return Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0]);
    case '.json':
      return '{\n  "name": "@scope/package",\n  "version": "1.0.0",\n  "main": "dist/index.js",\n  "dependencies": { "tslib": "^2.6.0" }\n}\n';
    case '.md':
      return md;
    case '.css':
    case '.scss':
      return '.button {\n  color: var(--accent);\n  padding: 4px 8px;\n}\n/* TODO: dark theme */\n';
    case '.svg':
      return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2L2 22h20z"/></svg>\n';
    case '.html':
      return '<!doctype html><html><body><table class="coverage"><tr><td>handler.ts</td><td>87%</td></tr></table></body></html>\n';
    case '.rs':
      return 'pub fn handle(query: &str) -> Vec<String> {\n    // TODO: cache results\n    query.split(\'/\').map(str::to_owned).collect()\n}\n';
    case '.go':
      return 'package handler\n\n// Handle splits a query. TODO: cache results.\nfunc Handle(query string) []string {\n\treturn nil\n}\n';
    case '.py':
      return 'def handle(query: str) -> list[str]:\n    """Split a query."""  # TODO: cache results\n    return query.split("/")\n';
    case '.yml':
      return 'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n';
    case '.log':
      return '2024-01-01T00:00:00Z info server started\n2024-01-01T00:00:01Z warn slow request\n';
    case '.map':
    case '.js.map':
      return '{"version":3,"file":"index.js","sources":["../src/index.ts"],"mappings":"AAAA,SAAS"}\n';
    default:
      return ts;
  }
}
