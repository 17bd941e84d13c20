/**
 * The oracle of test/typescript-oracle.test.ts: what TypeScript's own compiler API finds in a
 * fixture tree, in the shapes of the typescript sidecar's `imports` and `exports` answers.
 * Imports come from a walk of `ts.createSourceFile`'s tree (issue 17, item 4: static imports, type-only
 * ones, `export … from`, `import x = require()`, `import()` and `require()` with one string literal
 * anywhere); exported names from the binder's module symbol (`symbol.exports` of a checker over the
 * tree); resolution from `ts.resolveModuleName` with the nearest parsed tsconfig/jsconfig. The walk,
 * not `ts.preProcessFile`, is the authority for imports: that scanner also counts `require('a', 1)`,
 * `module.require('a')` and `require('./' + x)`, which item 4 leaves out. Where the
 * issue's rules go beyond TypeScript (workspace packages without node_modules) the host below
 * supplies what an install would, and says why.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import type { ExportItem, ExportsResult, ImportItem, Range } from '../../sidecars/typescript/types.generated';

/** The extensions the sidecar analyses (item 4). */
export const ANALYSED = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** Every file under `root`, workspace-relative with '/'. */
export function listFiles(root: string, dir = ''): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(root, rel) : [rel];
  });
}

function scriptKind(file: string): ts.ScriptKind {
  const ext = path.extname(file);
  if (ext === '.tsx') return ts.ScriptKind.TSX;
  if (ext === '.jsx') return ts.ScriptKind.JSX;
  // TypeScript parses JSX in .js, .mjs and .cjs files too, as the issue requires.
  return ['.js', '.mjs', '.cjs'].includes(ext) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
}

/** The packages the root names as its workspaces (npm/yarn `workspaces`, `pnpm-workspace.yaml`): name → folder. */
export function workspacePackages(root: string, files: string[]): Map<string, string> {
  const read = (rel: string) => (files.includes(rel) ? fs.readFileSync(path.join(root, rel), 'utf8') : undefined);
  const manifest = JSON.parse(read('package.json') ?? '{}');
  const globs: string[] = Array.isArray(manifest.workspaces) ? manifest.workspaces : (manifest.workspaces?.packages ?? []);
  globs.push(...((parseYaml(read('pnpm-workspace.yaml') ?? '{}') ?? {}).packages ?? []));
  const include = globs.filter((g) => !g.startsWith('!'));
  const exclude = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  const out = new Map<string, string>();
  for (const f of files) {
    if (!f.endsWith('/package.json')) continue;
    const dir = f.slice(0, -'/package.json'.length);
    if (!picomatch.isMatch(dir, include) || (exclude.length && picomatch.isMatch(dir, exclude))) continue;
    const name = JSON.parse(read(f)!).name;
    if (typeof name === 'string') out.set(name, dir);
  }
  return out;
}

/**
 * A resolution host over the real tree plus a virtual `node_modules/<name>` link for each workspace
 * package, which is what npm, yarn and pnpm create on install: issue 17 (item 5) asks for the
 * workspace's packages by name "without node_modules installed", which TypeScript alone cannot do.
 * `realpath` follows the virtual link, as it would a symlink, so answers name the package's own files.
 */
function workspaceHost(root: string, packages: Map<string, string>): ts.ModuleResolutionHost {
  const links = [...packages].map(([name, dir]) => [path.join(root, 'node_modules', name), path.join(root, dir)] as const);
  const real = (p: string) => {
    for (const [link, target] of links) if (p === link || p.startsWith(link + path.sep)) return target + p.slice(link.length);
    return p;
  };
  const isLinkAncestor = (p: string) => links.some(([link]) => link.startsWith(p + path.sep));
  return {
    fileExists: (p) => ts.sys.fileExists(real(p)),
    readFile: (p) => ts.sys.readFile(real(p)),
    directoryExists: (p) => isLinkAncestor(p) || ts.sys.directoryExists(real(p)),
    realpath: (p) => real(p),
    getCurrentDirectory: () => root,
  };
}

/** Compiler options per config folder: the nearest tsconfig.json (else jsconfig.json) applies, as in tsserver. */
function configFor(root: string, files: string[], cache: Map<string, ts.CompilerOptions>, file: string): ts.CompilerOptions {
  for (let dir = path.posix.dirname(file); ; dir = path.posix.dirname(dir)) {
    const d = dir === '.' ? '' : dir;
    const name = ['tsconfig.json', 'jsconfig.json'].find((n) => files.includes(d ? `${d}/${n}` : n));
    if (name) {
      const key = d ? `${d}/${name}` : name;
      if (!cache.has(key)) {
        // A jsconfig.json is a project with allowJs, as tsserver's defaults for it say.
        const existing: ts.CompilerOptions = { allowJs: true };
        const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (e: ts.Diagnostic) => fail(e.messageText) };
        const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, key), existing, host)!;
        // A config that names no moduleResolution gets TypeScript 5's legacy default, node10, which
        // predates package.json `exports`; the sidecar resolves such projects as bundlers do (item 5).
        const mode = parsed.options.moduleResolution ?? ts.ModuleResolutionKind.Bundler;
        cache.set(key, { module: ts.ModuleKind.ESNext, ...parsed.options, moduleResolution: mode, allowJs: true });
      }
      return cache.get(key)!;
    }
    if (!d) break;
  }
  // No config: the sidecar resolves as TypeScript's bundler mode (sidecars/typescript/src/resolve.rs).
  return { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowJs: true };
}

function fail(message: unknown): never {
  throw new Error(`tsconfig: ${ts.flattenDiagnosticMessageText(message as string, '\n')}`);
}

/** What TypeScript finds in one tree, file by file. */
export interface TreeOracle {
  files: string[];
  imports(file: string): ImportItem[];
  exports(file: string): ExportsResult;
  /** The names `typescript/outline` lists at the top level: one per declaration statement, in order. */
  outline(file: string): string[];
}

/** The identifiers a binding (a name, or an object or array pattern) declares. */
function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}

/** A top-level statement's declared names as the outline shows them ('default' for an anonymous default, quoted module names). */
function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.flatMap((d) => bindingNames(d.name));
  if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) return [statement.name?.text ?? 'default'];
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) {
    return [statement.name.text];
  }
  if (ts.isModuleDeclaration(statement) && !(statement.flags & ts.NodeFlags.GlobalAugmentation)) {
    return [ts.isStringLiteral(statement.name) ? `"${statement.name.text}"` : statement.name.text];
  }
  return [];
}

export function oracle(root: string): TreeOracle {
  const files = listFiles(root).sort();
  const packages = workspacePackages(root, files);
  const host = workspaceHost(root, packages);
  const configs = new Map<string, ts.CompilerOptions>();
  const analysed = files.filter((f) => ANALYSED.includes(path.extname(f)));
  const abs = (rel: string) => path.join(root, rel);

  const sources = new Map<string, ts.SourceFile>();
  const source = (rel: string) => {
    if (!sources.has(rel)) {
      const options = configFor(root, files, configs, rel);
      const format = ts.getImpliedNodeFormatForFile(abs(rel) as ts.Path, undefined, host, options);
      const opts = { languageVersion: ts.ScriptTarget.Latest, impliedNodeFormat: format };
      sources.set(rel, ts.createSourceFile(abs(rel), fs.readFileSync(abs(rel), 'utf8'), opts, true, scriptKind(rel)));
    }
    return sources.get(rel)!;
  };
  const range = (sf: ts.SourceFile, node: ts.Node): Range => {
    const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    const end = sf.getLineAndCharacterOfPosition(node.end);
    return { start, end };
  };

  /** Where `literal` (a module specifier in `rel`) leads, by TypeScript's resolver with the file's config. */
  const resolve = (rel: string, literal: ts.StringLiteralLike): Pick<ImportItem, 'resolved' | 'external'> => {
    const sf = source(rel);
    const options = configFor(root, files, configs, rel);
    const mode = ts.getModeForUsageLocation(sf, literal, options);
    const found = ts.resolveModuleName(literal.text, abs(rel), options, host, undefined, undefined, mode).resolvedModule;
    const bare = !literal.text.startsWith('.') && !literal.text.startsWith('/');
    if (!found) return { resolved: null, external: bare };
    const inside = path.relative(root, found.resolvedFileName).split(path.sep);
    if (inside[0] === '..' || inside.includes('node_modules')) return { resolved: null, external: true };
    return { resolved: inside.join('/'), external: false };
  };

  const imports = (rel: string): ImportItem[] => {
    const sf = source(rel);
    const out: ImportItem[] = [];
    const add = (literal: ts.Expression, kind: ImportItem['kind'], names?: string[]) => {
      if (!ts.isStringLiteralLike(literal)) return;
      const item: ImportItem = { specifier: literal.text, kind, ...resolve(rel, literal), range: range(sf, literal) };
      out.push(names ? { ...item, names } : item);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        const names = clause && [
          ...(clause.name ? ['default'] : []),
          ...(clause.namedBindings && ts.isNamespaceImport(clause.namedBindings) ? ['*'] : []),
          ...(clause.namedBindings && ts.isNamedImports(clause.namedBindings)
            ? clause.namedBindings.elements.map((e) => (e.propertyName ?? e.name).text)
            : []),
        ];
        add(node.moduleSpecifier, clause?.isTypeOnly ? 'import-type' : 'import', names);
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
        const clause = node.exportClause;
        const names = clause && ts.isNamedExports(clause) ? clause.elements.map((e) => (e.propertyName ?? e.name).text) : ['*'];
        add(node.moduleSpecifier, 'export-from', names);
      } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
        add(node.moduleReference.expression, 'import-equals');
      } else if (ts.isCallExpression(node) && node.arguments.length > 0) {
        if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], 'dynamic');
        const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
        if (isRequire && node.arguments.length === 1) add(node.arguments[0], 'require');
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    return out;
  };

  // One checker over every analysed file binds them; resolution is left out (noResolve), the module
  // symbols' export tables are all it is asked for.
  const program = ts.createProgram(
    analysed.map(abs),
    { allowJs: true, noResolve: true, noLib: true, types: [], jsx: ts.JsxEmit.Preserve, checkJs: false },
    ts.createCompilerHost({}, true),
  );
  const checker = program.getTypeChecker();

  const exportsOf = (rel: string): ExportsResult => {
    const sf = program.getSourceFile(abs(rel))!;
    const table = checker.getSymbolAtLocation(sf)?.exports;
    const exports: (ExportItem & { at: number })[] = [];
    const stars: (ExportsResult['stars'][number] & { at: number })[] = [];
    table?.forEach((symbol) => {
      for (const decl of symbol.declarations ?? []) {
        const at = decl.getStart(sf);
        if (symbol.escapedName === ts.InternalSymbolName.ExportStar) {
          const literal = (decl as ts.ExportDeclaration).moduleSpecifier as ts.StringLiteral;
          stars.push({ specifier: literal.text, resolved: resolve(rel, literal).resolved, at });
          continue;
        }
        const item = exportItem(checker, symbol, decl);
        if (item) exports.push({ ...item, at });
      }
    });
    // The table is keyed by name; the sidecar answers in source order.
    const ordered = exports.sort((a, b) => a.at - b.at).map(({ at: _at, ...e }) => e);
    const starsOrdered = stars.sort((a, b) => a.at - b.at).map(({ at: _at, ...e }) => e);
    return { path: rel, exports: dedupe(ordered), stars: starsOrdered };
  };

  const outline = (rel: string) => source(rel).statements.flatMap(declaredNames);
  return { files: analysed, imports, exports: exportsOf, outline };
}

/** A name declared twice (overloads, merged declarations) is one exported name. */
function dedupe(items: ExportItem[]): ExportItem[] {
  const seen = new Set<string>();
  return items.filter((e) => !seen.has(e.name) && seen.add(e.name));
}

/**
 * One binder export as the sidecar's export item, or undefined for what item 4 leaves out:
 * CommonJS `module.exports`/`exports.x` assignments, which the binder also lists for JS files.
 */
function exportItem(checker: ts.TypeChecker, symbol: ts.Symbol, decl: ts.Declaration): Omit<ExportItem, 'range'> | undefined {
  const name = ts.symbolName(symbol);
  if (ts.isBinaryExpression(decl) || ts.isPropertyAccessExpression(decl) || ts.isCallExpression(decl)) return undefined;
  if (ts.isExportAssignment(decl)) {
    if (ts.isBinaryExpression(decl.expression)) return undefined;
    return decl.isExportEquals ? { name: '=', kind: 'assignment', typeOnly: false } : { name: 'default', kind: 'default', typeOnly: false };
  }
  if (ts.isExportSpecifier(decl)) {
    const from = decl.parent.parent.moduleSpecifier;
    const typeOnly = decl.isTypeOnly || decl.parent.parent.isTypeOnly;
    if (from) return { name, kind: 'reexport', from: (from as ts.StringLiteral).text, typeOnly };
    // `export { I }` of a local interface or type alias exports a type: the checker's alias target has no value.
    return { name, kind: 'local', typeOnly: typeOnly || !(checker.getAliasedSymbol(symbol).flags & ts.SymbolFlags.Value) };
  }
  if (ts.isNamespaceExport(decl)) {
    const from = (decl.parent.moduleSpecifier as ts.StringLiteral).text;
    return { name, kind: 'namespace', from, typeOnly: decl.parent.isTypeOnly };
  }
  const typeOnly = ts.isInterfaceDeclaration(decl) || ts.isTypeAliasDeclaration(decl);
  // `export default function f() {}` and `export default class {}` are the default export.
  if (name === 'default') return { name, kind: 'default', typeOnly };
  return { name, kind: 'local', typeOnly };
}
