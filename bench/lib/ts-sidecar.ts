/**
 * Driving the TypeScript analysis sidecar alone, without its manifest: the binary is spawned with
 * `--root` and spoken to through the framework's own connection (`skaffa-sidecars/internal`), the
 * way its stdio tests do. The bench pins the `profiling` build (release code with symbols), like
 * the workspace rows (`SKAFFA_BENCH_TYPESCRIPT` names another binary). Live changes are fed as main's feed would, through `typescript/didChange`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Connection, SystemClock } from 'skaffa-sidecars/internal';
import type { StatusResult } from 'skaffa-sidecars/typescript';
import { repoRoot } from './proc';
import { nowMs, sleep } from './stats';

/** `SKAFFA_BENCH_TYPESCRIPT=<binary>` measures another build (an older commit's, say) instead. */
export const typescriptBinary = process.env.SKAFFA_BENCH_TYPESCRIPT ?? path.join(repoRoot, 'target', 'profiling', 'skaffa-typescript');

/** `typescript/status`'s answer, from the sidecar's generated wire types. */
export type TsStatus = StatusResult;

export class TsSidecar {
  private readonly child: ChildProcess;
  private readonly conn: Connection;

  constructor(root: string) {
    this.child = spawn(typescriptBinary, ['--root', root], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.conn = new Connection('typescript', this.child.stdout!, this.child.stdin!, new SystemClock());
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    return this.conn.request(`typescript/${method}`, params, { timeoutMs }) as Promise<T>;
  }

  /** Polls status until the first build is done; resolves with the status then. */
  async ready(timeoutMs = 300_000): Promise<TsStatus> {
    const t = nowMs();
    for (;;) {
      const st = await this.call<TsStatus>('status');
      if (st.state === 'ready') return st;
      if (nowMs() - t > timeoutMs) throw new Error('the typescript sidecar never finished its first index');
      await sleep(2);
    }
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
