import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';

/**
 * Puts the calling thread under Linux's SCHED_IDLE policy. A niced thread only gets a smaller share:
 * when the event loop or a Postgres backend wakes up, the scheduler may let the niced thread run on
 * for a while before switching. A SCHED_IDLE thread is preempted by any normal task as soon as that
 * task wakes up. Node has no binding for sched_setscheduler(2), so util-linux's `chrt` makes the call
 * for this thread's id; it needs no privilege to lower a policy. Returns false off Linux, or when `chrt`
 * is missing or fails. The thread is then left as it was (niced, if the pool did that).
 */
export function idleThisThread(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').pop()!;
    execFileSync('chrt', ['--idle', '--pid', '0', tid], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
