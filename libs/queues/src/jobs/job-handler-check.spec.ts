import { QUEUE_JOBS, JOBS, QUEUES } from '../queues';
import { jobHandlerProblems } from './job-handler-check';

describe('jobHandlerProblems', () => {
  it('refuses a handler for a job its queue does not declare', () => {
    expect(
      jobHandlerProblems(
        { q: ['a'] },
        ['q'],
        [
          { queue: 'q', job: 'a', where: 'A.a' },
          { queue: 'q', job: 'b', where: 'B.b' },
        ],
      ),
    ).toEqual(['B.b handles job "b", which queue "q" does not declare']);
  });

  it('refuses a worker for a queue that is not declared', () => {
    expect(jobHandlerProblems({}, ['ghost'], [])).toEqual(['queue "ghost" has a worker but is not declared in QUEUE_JOBS']);
  });
});

describe('QUEUE_JOBS', () => {
  it('puts every job name on exactly one queue, and names only declared queues', () => {
    const placed = Object.values(QUEUE_JOBS).flat();
    expect([...placed].sort()).toEqual(Object.values(JOBS).sort());
    expect(Object.keys(QUEUE_JOBS).sort()).toEqual(Object.values(QUEUES).sort());
  });
});
