import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { subjects } from '@credence/contracts';
import { ApiKeyStore } from '@credence/access';
import { RequestContext } from '@credence/context';
import { newSecretToken } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { apiKeyEventData, CreatedApiKeyResponse, toApiKeyResponse } from '../../dto/api-key.response';
import { CreateApiKeyCommand } from './create-api-key.command';

@CommandHandler(CreateApiKeyCommand)
export class CreateApiKeyHandler implements ICommandHandler<CreateApiKeyCommand, CreatedApiKeyResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly keys: ApiKeyStore,
    private readonly context: RequestContext,
  ) {}

  async execute(cmd: CreateApiKeyCommand): Promise<CreatedApiKeyResponse> {
    if (cmd.expiresAt && cmd.expiresAt.getTime() <= Date.now()) {
      throw new DomainError('validation.failed', undefined, [{ field: 'expires_at', issue: 'expires_at must be in the future' }]);
    }
    // A key can hand out only scopes it holds itself, so api_keys:manage is not a way to every other scope.
    const beyond = cmd.scopes.filter((s) => !cmd.granter.scopes.includes(s));
    if (beyond.length) throw new DomainError('auth.insufficient_scope', `This key cannot grant scopes it does not hold: ${beyond.join(', ')}.`);
    const limit = cmd.granter.expiresAt;
    if (limit && (!cmd.expiresAt || cmd.expiresAt > limit)) {
      throw new DomainError('validation.failed', undefined, [
        { field: 'expires_at', issue: `expires_at must be no later than the requesting key's own expiry (${limit.toISOString()})` },
      ]);
    }
    const secret = newSecretToken('crd_');
    const row = await this.runner.inPlatform(async (uow) => {
      const created = await this.keys.insert(uow, { name: cmd.name, secret, scopes: cmd.scopes, createdBy: this.context.principal, expiresAt: cmd.expiresAt });
      uow.emit('platform.api_key.created', subjects.apiKey(created.id), apiKeyEventData(created));
      return created;
    });
    return { ...toApiKeyResponse(row), secret };
  }
}
