/**
 * The vscode-jsonrpc peer for the protocol rows: a child Node process serving one request type
 * over stdio with vscode-jsonrpc (Content-Length framing), answering with a status-shaped object
 * like the sidecar's `workspace/status`, so both carry a similar payload. Exits when stdin ends.
 */
import { peerRequire } from '../lib/peers';

const rpc = peerRequire('vscode-jsonrpc/node');
const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(process.stdin), new rpc.StreamMessageWriter(process.stdout));
const status = { root: '/bench', state: 'ready', files: 3, generation: 1, watching: true, skipped: { nonUtf8: 0, unportable: 0, unportableSample: [], errors: 0 }, cache: { state: 'off' } };
connection.onRequest('workspace/status', () => status);
connection.onClose(() => process.exit(0));
process.stdin.on('end', () => process.exit(0));
connection.listen();
