/**
 * `skaffa-sidecars/conformance`: checks that a sidecar speaks docs/protocol.md. The contract
 * (rules, report, options) and three functions: `checkConformance` returns the report,
 * `formatReport` renders it, `expectConformant` is the test helper. `skaffa conformance -- <cmd>`
 * is the same check from the command line.
 */
export * from './contract';
export { checkConformance, loadManifest } from './run';
export { formatReport, formatRule, failures } from './report';
export { expectConformant } from './expect';
