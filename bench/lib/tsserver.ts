/**
 * tsserver as the workspace-symbols peer: `node node_modules/typescript/lib/tsserver.js` (the
 * root dev dependency) with the corpus loaded as one external project (every analysed file a root,
 * `allowJs`, no type acquisition), asked `navto` as an editor's "go to symbol in workspace" does.
 * Requests go in as JSON lines; answers come back framed by `Content-Length` headers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from './proc';

interface Response {
  request_seq: number;
  success: boolean;
  message?: string;
  body?: unknown;
}

export class TsServer {
  private readonly child: ChildProcess;
  private seq = 0;
  private buf = Buffer.alloc(0);
  private readonly waiting = new Map<number, (r: Response) => void>();
  readonly project: string;

  constructor(root: string) {
    this.project = path.join(root, 'skaffa-bench.project');
    const script = path.join(repoRoot, 'node_modules', 'typescript', 'lib', 'tsserver.js');
    // A large heap: the whole corpus is one project, and running out would end the peer, not time it.
    this.child = spawn(process.execPath, ['--max-old-space-size=8192', script, '--disableAutomaticTypingAcquisition', '--suppressDiagnosticEvents'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.child.stdout!.on('data', (d: Buffer) => this.onData(d));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const head = this.buf.indexOf('\r\n\r\n');
      if (head < 0) return;
      const len = Number(/Content-Length: (\d+)/.exec(this.buf.subarray(0, head).toString())?.[1]);
      if (this.buf.length < head + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(head + 4, head + 4 + len).toString()) as Response & { type: string };
      this.buf = this.buf.subarray(head + 4 + len);
      if (msg.type === 'response') this.waiting.get(msg.request_seq)?.(msg);
    }
  }

  request(command: string, args: unknown): Promise<unknown> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, (r) => {
        this.waiting.delete(seq);
        if (r.success) resolve(r.body);
        else reject(new Error(`tsserver ${command}: ${r.message}`));
      });
      this.child.stdin!.write(JSON.stringify({ seq, type: 'request', command, arguments: args }) + '\n');
    });
  }

  /** Opens every file of `files` (workspace-relative under `root`) as one project. */
  async openProject(root: string, files: string[]): Promise<void> {
    await this.request('openExternalProject', {
      projectFileName: this.project,
      rootFiles: files.map((f) => ({ fileName: path.join(root, f) })),
      options: { allowJs: true, checkJs: false, noEmit: true, skipLibCheck: true, noResolve: true, types: [], jsx: 'preserve' },
    });
  }

  /** `navto` over the project; the first call also builds the program (parses every file). */
  async navto(query: string, limit: number): Promise<unknown[]> {
    return (await this.request('navto', { searchValue: query, projectFileName: this.project, maxResultCount: limit })) as unknown[];
  }

  close(): void {
    this.child.kill('SIGKILL');
  }
}
