import { Injectable } from '@nestjs/common';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { ActorRef, actorKey } from './actor-ref';
import { Mailboxes } from './mailbox';

export interface ActorOptions {
  /** Extra advisory locks after the actor's own, e.g. a shared schema lock. */
  extraLocks?: { key: string; mode?: 'exclusive' | 'shared' }[];
  /** Run on the platform schema rather than the ambient tenant's (tenant lifecycle itself). */
  platform?: boolean;
  /** Run as the login role that owns the tenant's schema, not as the tenant's role: provisioning only (see UnitOptions). */
  asOwner?: boolean;
  /**
   * The handler's first statement locks the actor's own rows (`SELECT … FOR UPDATE`), which serialises
   * it across processes as the advisory lock would, so the lock is left out: one statement fewer. The
   * mailbox still orders messages in this process; any other writer of those rows locks them by writing them.
   */
  rowLocked?: boolean;
}

/**
 * Delivers a message to the actor named by (kind, tenant, id): one at a time in this process
 * (mailbox) and across processes (transaction-scoped advisory lock on the same key, or the row locks
 * of a handler that takes them first: ActorOptions.rowLocked). The handler
 * loads state, decides, and writes state and events in the one transaction that holds the lock.
 * A handler begins with a query (or only emits): the lock is taken in the same socket write as its
 * first statement (UnitOptions.pipelineLocks), so nothing it does before that statement is guarded.
 */
@Injectable()
export class ActorSystem {
  private readonly mailboxes = new Mailboxes();

  constructor(private readonly runner: TenantTransactionRunner) {}

  send<T>(ref: ActorRef, handle: (uow: UnitOfWork) => Promise<T>, options: ActorOptions = {}): Promise<T> {
    const key = actorKey(ref);
    const locks = [...(options.rowLocked ? [] : [{ key }]), ...(options.extraLocks ?? [])];
    const unit = { locks, pipelineLocks: true };
    return this.mailboxes.deliver(key, () => (options.platform ? this.runner.inPlatform(handle, unit) : this.runner.inTenant(handle, { ...unit, asOwner: options.asOwner })));
  }

  get activeMailboxes(): number {
    return this.mailboxes.size;
  }
}
