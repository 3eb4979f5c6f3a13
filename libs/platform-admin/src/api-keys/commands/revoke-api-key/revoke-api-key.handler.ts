import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { subjects } from '@credence/contracts';
import { ApiKeyStore } from '@credence/access';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { ApiKeyResponse, apiKeyEventData, toApiKeyResponse } from '../../dto/api-key.response';
import { RevokeApiKeyCommand } from './revoke-api-key.command';

/** Revocation is immediate: the global guard reads the key on every request. Revoking twice is harmless. */
@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand, ApiKeyResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly keys: ApiKeyStore,
  ) {}

  async execute(cmd: RevokeApiKeyCommand): Promise<ApiKeyResponse> {
    const row = await this.runner.inPlatform(async (uow) => {
      const found = await this.keys.lock(uow, cmd.id);
      if (!found) throw new DomainError('api_key.not_found');
      if (found.bootstrap) throw new DomainError('api_key.immutable');
      const beyond = found.scopes.filter((s) => !cmd.granterScopes.includes(s));
      if (beyond.length) throw new DomainError('auth.insufficient_scope', `This key cannot revoke a key with scopes it does not hold: ${beyond.join(', ')}.`);
      if (found.revoked_at) return found;
      const updated = await this.keys.revoke(uow, cmd.id);
      uow.emit('platform.api_key.revoked', subjects.apiKey(updated.id), apiKeyEventData(updated));
      return updated;
    });
    return toApiKeyResponse(row);
  }
}
