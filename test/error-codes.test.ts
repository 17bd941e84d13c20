/**
 * Error codes kept in one place. Every code only main produces (the protocol's and the remote
 * launch's `REMOTE_*`) comes back as a non-retryable `INTERNAL` when a real sidecar process (the
 * fake) answers with it, because the connection's check reads the same list `KnownErrorCode` is
 * derived from; a method-specific code still passes as sent. And the workspace sidecar's exported
 * `WorkspaceErrorCodes` are exactly the method-specific codes its Rust `Error::code()` sends; the
 * typescript sidecar's `TypeScriptErrorCodes` are its own crate's, plus the workspace codes its
 * `Error::Workspace` passes through that a path can cause.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MainSideCodes, RemoteErrorCodes, SidecarSideCodes, type KnownErrorCode } from '../registry';
import { TypeScriptErrorCodes } from '../sidecars/typescript';
import { WorkspaceErrorCodes } from '../sidecars/workspace';
import { fakeManifest } from './fixtures/fake-manifest';
import { makeRegistry, rejectionOf } from './helpers';

test('the main-only list holds the protocol codes main raises and every remote launch code', () => {
  expect(MainSideCodes).toEqual(expect.arrayContaining(['TIMEOUT', 'SIDECAR_CRASHED', 'SIDECAR_UNAVAILABLE', 'INVALID_MANIFEST', 'DUPLICATE_SIDECAR']));
  expect(MainSideCodes).toEqual(expect.arrayContaining(Object.values(RemoteErrorCodes)));
  expect(MainSideCodes.filter((c) => (SidecarSideCodes as readonly string[]).includes(c))).toEqual([]);
  // The type follows the list: a remote code is a KnownErrorCode without a cast.
  const remote: KnownErrorCode = RemoteErrorCodes.versionMismatch;
  expect(remote).toBe('REMOTE_VERSION_MISMATCH');
});

test('a sidecar answering any main-only code is not believed: each arrives as a non-retryable INTERNAL', async () => {
  const registry = makeRegistry([fakeManifest('liar')]);
  const seen: Array<{ claimed: string; code: string; retryable: boolean; claimedCode: unknown }> = [];
  for (const code of [...MainSideCodes, 'NOT_FOUND']) {
    const e = await rejectionOf(registry.call('liar', 'test/fail', { code, message: 'claimed by the sidecar' }));
    seen.push({ claimed: code, code: e.code, retryable: e.retryable, claimedCode: (e.data as { claimedCode?: unknown } | undefined)?.claimedCode });
  }
  const expected = MainSideCodes.map((code) => ({ claimed: code, code: 'INTERNAL', retryable: false, claimedCode: code }));
  // Positive control in the same run: a method-specific code is passed through as the sidecar sent it.
  expect(seen).toEqual([...expected, { claimed: 'NOT_FOUND', code: 'NOT_FOUND', retryable: false, claimedCode: undefined }]);
});

/** The string literals `Error::code()` in a sidecar crate's src/error.rs maps its variants to. */
function rustCodes(crate: 'workspace' | 'typescript'): string[] {
  const src = fs.readFileSync(path.join(__dirname, `../sidecars/${crate}/src/error.rs`), 'utf8');
  const body = /pub fn code\(&self\) -> &'static str \{([\s\S]*?)\n {4}\}/.exec(src);
  if (!body) throw new Error(`Error::code() not found in sidecars/${crate}/src/error.rs: update this test with it`);
  return [...new Set([...body[1].matchAll(/=>\s*"([A-Z_]+)"/g)].map((m) => m[1]))].sort();
}
const rustWorkspaceCodes = () => rustCodes('workspace');

test('WorkspaceErrorCodes are exactly the method-specific codes the Rust crate sends', () => {
  const rust = rustWorkspaceCodes();
  expect(rust).toEqual(expect.arrayContaining(['OUTSIDE_WORKSPACE', 'NOT_FOUND', 'INTERNAL']));
  const specific = rust.filter((c) => !(SidecarSideCodes as readonly string[]).includes(c));
  expect(Object.values(WorkspaceErrorCodes).sort()).toEqual(specific);
  // A sidecar's own code must never be one main would refuse.
  expect(Object.values(WorkspaceErrorCodes).filter((c) => (MainSideCodes as readonly string[]).includes(c))).toEqual([]);
});

test('TypeScriptErrorCodes are the typescript crate\'s method-specific codes, plus workspace codes it passes through', () => {
  const rust = rustCodes('typescript');
  expect(rust).toEqual(expect.arrayContaining(['OUTSIDE_WORKSPACE', 'NOT_FOUND', 'NOT_ANALYZED', 'INTERNAL']));
  const specific = rust.filter((c) => !(SidecarSideCodes as readonly string[]).includes(c));
  const ts: string[] = Object.values(TypeScriptErrorCodes);
  // Every code the crate names is exported, and every other exported one is a workspace code (Error::Workspace).
  expect(specific.filter((c) => !ts.includes(c))).toEqual([]);
  expect(ts.filter((c) => !specific.includes(c)).every((c) => (Object.values(WorkspaceErrorCodes) as string[]).includes(c))).toBe(true);
  expect(ts.filter((c) => (MainSideCodes as readonly string[]).includes(c))).toEqual([]);
});
