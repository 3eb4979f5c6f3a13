/** Where a handler was found, for the boot error: `Class.method`. */
export interface FoundHandler {
  queue: string;
  job: string;
  where: string;
}

/**
 * What is wrong with the handlers found in this process, one line per problem (empty when none).
 * Only queues whose worker runs here are held to their declared jobs: a process without a queue's
 * worker never takes that queue's jobs.
 */
export function jobHandlerProblems(declared: Record<string, readonly string[]>, workerQueues: Iterable<string>, found: FoundHandler[]): string[] {
  const problems: string[] = [];
  const workers = new Set(workerQueues);
  for (const queue of workers) {
    if (!declared[queue]) {
      problems.push(`queue "${queue}" has a worker but is not declared in QUEUE_JOBS`);
      continue;
    }
    for (const job of declared[queue]) {
      const handlers = found.filter((h) => h.queue === queue && h.job === job);
      if (handlers.length === 0) problems.push(`job "${job}" on queue "${queue}" has no @OnJob handler`);
      if (handlers.length > 1) problems.push(`job "${job}" on queue "${queue}" has ${handlers.length} handlers: ${handlers.map((h) => h.where).join(', ')}`);
    }
  }
  for (const h of found) {
    if (!declared[h.queue]?.includes(h.job)) problems.push(`${h.where} handles job "${h.job}", which queue "${h.queue}" does not declare`);
    else if (!workers.has(h.queue)) problems.push(`${h.where} handles job "${h.job}" but no worker runs queue "${h.queue}" in this process`);
  }
  return problems;
}
