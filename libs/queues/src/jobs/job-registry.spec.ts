import { BullRegistrar, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { Job } from 'bullmq';
import { APP_CONFIG } from '@credence/config';
import { JOB_DECLARATIONS, JobRegistry, JobRegistryError, workerLockOptions } from './job-registry';
import { OnJob } from './on-job.decorator';

const DECLARED = { mail: ['send', 'bounce'], reports: ['daily'] };

@Processor('mail', { concurrency: 3, stalledInterval: 15_000 })
class MailProcessor extends WorkerHost {
  constructor(private readonly jobs: JobRegistry) {
    super();
  }
  process(job: Job): Promise<unknown> {
    return this.jobs.dispatch('mail', job);
  }
}

@Injectable()
class MailSender {
  @OnJob('mail', 'send')
  async send(job: Job) {
    return `sent ${job.data.to}`;
  }
}

@Injectable()
class MailBounces {
  @OnJob('mail', 'bounce')
  async bounce() {
    return 'bounced';
  }
}

@Injectable()
class SecondSender {
  @OnJob('mail', 'send')
  async sendAgain() {
    return 'sent twice';
  }
}

@Injectable()
class ReportsWithoutWorker {
  @OnJob('reports', 'daily')
  async daily() {
    return 'report';
  }
}

const WORKER_METADATA = 'bullmq:worker_metadata';
const workerOptionsOf = (processor: object) => Reflect.getMetadata(WORKER_METADATA, processor) as Record<string, unknown> | undefined;

async function boot(providers: Type[], lockSeconds = 30) {
  // What @nestjs/bullmq would read when it creates the workers: the options at the time of register().
  const registrar = { register: jest.fn(), seen: undefined as Record<string, unknown> | undefined };
  registrar.register.mockImplementation(() => (registrar.seen = workerOptionsOf(MailProcessor)));
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [
      JobRegistry,
      { provide: JOB_DECLARATIONS, useValue: DECLARED },
      { provide: BullRegistrar, useValue: registrar },
      { provide: APP_CONFIG, useValue: { JOB_LOCK_SECONDS: lockSeconds } },
      ...providers,
    ],
  }).compile();
  const init = moduleRef.init();
  return { moduleRef, registrar, init };
}

const job = (name: string, data: unknown = {}) => ({ name, data }) as Job;

describe('JobRegistry', () => {
  it('dispatches each job to its one handler, and starts the workers only after the check', async () => {
    const { moduleRef, registrar, init } = await boot([MailProcessor, MailSender, MailBounces]);
    await init;
    expect(registrar.register).toHaveBeenCalledTimes(1);
    const processor = moduleRef.get(MailProcessor);
    await expect(processor.process(job('send', { to: 'ada@example.com' }))).resolves.toBe('sent ada@example.com');
    await expect(processor.process(job('bounce'))).resolves.toBe('bounced');
    await expect(processor.process(job('unheard-of'))).rejects.toThrow('no handler for job unheard-of on queue mail');
    await moduleRef.close();
  });

  it('refuses to boot when a declared job of a queue that has a worker here has no handler', async () => {
    const { registrar, init } = await boot([MailProcessor, MailSender]);
    await expect(init).rejects.toThrow(JobRegistryError);
    await expect(init).rejects.toThrow('job "bounce" on queue "mail" has no @OnJob handler');
    expect(registrar.register).not.toHaveBeenCalled();
  });

  it('refuses to boot when a job has two handlers, naming both', async () => {
    const { registrar, init } = await boot([MailProcessor, MailSender, MailBounces, SecondSender]);
    await expect(init).rejects.toThrow('job "send" on queue "mail" has 2 handlers: MailSender.send, SecondSender.sendAgain');
    expect(registrar.register).not.toHaveBeenCalled();
  });

  it('refuses a handler whose queue has no worker in the process (it would never run)', async () => {
    const { init } = await boot([MailProcessor, MailSender, MailBounces, ReportsWithoutWorker]);
    await expect(init).rejects.toThrow('ReportsWithoutWorker.daily handles job "daily" but no worker runs queue "reports" in this process');
  });

  it('does not hold a queue without a worker here to its declared jobs', async () => {
    const { registrar, init } = await boot([]);
    await init;
    expect(registrar.register).toHaveBeenCalledTimes(1);
  });

  it('starts the workers with the lock of JOB_LOCK_SECONDS, then puts back the options the processor declared', async () => {
    const { moduleRef, registrar, init } = await boot([MailProcessor, MailSender, MailBounces], 10);
    await init;
    expect(registrar.seen).toEqual({ concurrency: 3, lockDuration: 10_000, stalledInterval: 10_000 });
    // The class's metadata is shared by every app of the process: another app with another setting must not see this one's.
    expect(workerOptionsOf(MailProcessor)).toEqual({ concurrency: 3, stalledInterval: 15_000 });
    await moduleRef.close();
  });
});

describe('workerLockOptions', () => {
  it("leaves BullMQ's defaults and a processor's own check interval as they are at the default 30 s", () => {
    expect(workerLockOptions({}, 30)).toEqual({ lockDuration: 30_000, stalledInterval: 30_000 });
    expect(workerLockOptions({ stalledInterval: 15_000 }, 30)).toEqual({ lockDuration: 30_000, stalledInterval: 15_000 });
  });

  it('checks for lapsed locks at least once per lock period when the lock is shorter', () => {
    expect(workerLockOptions({}, 10)).toEqual({ lockDuration: 10_000, stalledInterval: 10_000 });
    expect(workerLockOptions({ stalledInterval: 15_000 }, 5)).toEqual({ lockDuration: 5_000, stalledInterval: 5_000 });
  });
});
