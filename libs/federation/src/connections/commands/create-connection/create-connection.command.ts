import type { CreateConnectionDto } from '../../dto/create-connection.dto';

export class CreateConnectionCommand {
  constructor(
    readonly tenantId: string,
    readonly input: CreateConnectionDto,
  ) {}
}
