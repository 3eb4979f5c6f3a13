import type { CredenceCloudEvent } from '@credence/contracts';

/** Published on the in-process CQRS event bus after a unit of work commits. */
export class EventsCommitted {
  constructor(readonly events: CredenceCloudEvent[]) {}
}
