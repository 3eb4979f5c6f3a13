export class TestConnectionCommand {
  constructor(
    readonly tenantId: string,
    readonly id: string,
  ) {}
}

export interface ConnectionCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  checks: ConnectionCheck[];
}
