import { BullRegistrar, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { Job } from 'bullmq';
import { JOB_DECLARATIONS, JobRegistry, JobRegistryError } from './job-registry';
import { OnJob } from './on-job.decorator';

const DECLARED = { mail: ['send', 'bounce'], reports: ['daily'] };

@Processor('mail')
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

async function boot(providers: Type[]) {
  const registrar = { register: jest.fn() };
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [JobRegistry, { provide: JOB_DECLARATIONS, useValue: DECLARED }, { provide: BullRegistrar, useValue: registrar }, ...providers],
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
});
