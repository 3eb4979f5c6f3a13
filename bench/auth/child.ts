import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { InitMessage, ParentMessage } from './load-client';
import type { Window } from './shared';

/** Every load client still running (killed on the way out). */
export const children = new Set<ChildProcess>();

/** A forked load-client.ts with a typed request/answer protocol. */
export class Child {
  private readonly inbox: { type: string; [k: string]: unknown }[] = [];
  private readonly waiters: { type: string; resolve: (m: any) => void; reject: (e: Error) => void }[] = [];
  private failure?: Error;

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: { type: string; message?: string }) => {
      if (m.type === 'error') return this.fail(new Error(`load client failed: ${m.message}`));
      const i = this.waiters.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
      else this.inbox.push(m);
    });
    proc.on('exit', (code) => {
      children.delete(proc);
      if (code) this.fail(new Error(`load client exited with ${code}`));
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  static async start(init: InitMessage): Promise<Child> {
    const proc = fork(join(__dirname, 'load-client.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(proc);
    const child = new Child(proc);
    child.send(init);
    await child.next('ready');
    return child;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  send(m: ParentMessage): void {
    this.proc.send(m);
  }

  next<T = any>(type: string): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const i = this.inbox.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as T);
    return new Promise<T>((resolve, reject) => this.waiters.push({ type, resolve, reject }));
  }

  async snapshot(): Promise<Window> {
    this.send({ cmd: 'snapshot' });
    return (await this.next<{ window: Window }>('window')).window;
  }

  async progress(): Promise<number> {
    this.send({ cmd: 'progress' });
    return (await this.next<{ total: number }>('progress')).total;
  }

  /** Stops the workload; a child whose calls never return (a wedged app) is killed after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<{ window?: Window; ended_loops?: number; killed?: boolean }> {
    this.send({ cmd: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ killed: boolean }>((r) => (timer = setTimeout(() => r({ killed: true }), timeoutMs)));
    const result = await Promise.race([this.next('stopped'), timeout]);
    clearTimeout(timer);
    if ((result as { killed?: boolean }).killed) this.proc.kill('SIGKILL');
    return result;
  }
}
