import type { UpdateConnectionDto } from '../../dto/update-connection.dto';

export class UpdateConnectionCommand {
  constructor(
    readonly tenantId: string,
    readonly id: string,
    readonly changes: UpdateConnectionDto,
  ) {}
}
