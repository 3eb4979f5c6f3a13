import type { UnitOfWork } from '@credence/tenancy';

/** What one batch did: rows changed (its count in the run), and whether the rule may have more to do. */
export interface BatchResult {
  done: number;
  more: boolean;
}

/** A rule's part in one tenant's run: batches until none has more, then `finish` once all got through. */
export interface RulePass {
  /** Changes a bounded number of rows in the caller's transaction. */
  batch(uow: UnitOfWork): Promise<BatchResult>;
  /** Runs in its own transaction after the last batch, only when the run was not cut short. */
  finish?(uow: UnitOfWork): Promise<void>;
}

/** A pass of batches that need no memory between them: more is left while a batch is full. */
export function eachBatch(limit: number, batch: (uow: UnitOfWork) => Promise<number>): RulePass {
  return {
    batch: async (uow) => {
      const done = await batch(uow);
      return { done, more: done >= limit };
    },
  };
}
