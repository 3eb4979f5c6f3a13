import type { TargetInput } from '@credence/access';

/** May `userId` do resource.action (to the record in `target`)? Answers, never throws for a "no". */
export class CheckAccessQuery {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly resource: string,
    readonly action: string,
    readonly target: TargetInput | undefined,
  ) {}
}
