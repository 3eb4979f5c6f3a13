import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { API_KEY_COLUMNS, ApiKeyResponse, ApiKeyRow, apiKeyEventData, toApiKeyResponse } from '../../dto/api-key.response';
import { RevokeApiKeyCommand } from './revoke-api-key.command';

/** Revocation is immediate: the guard reads the key on every request. Revoking twice is harmless. */
@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand, ApiKeyResponse> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(cmd: RevokeApiKeyCommand): Promise<ApiKeyResponse> {
    const row = await this.runner.inPlatform(async (uow) => {
      const [found] = await uow.query<ApiKeyRow[]>(`SELECT ${API_KEY_COLUMNS} FROM platform.api_keys WHERE id = $1 FOR UPDATE`, [cmd.id]);
      if (!found) throw new DomainError('api_key.not_found');
      if (found.bootstrap) throw new DomainError('api_key.immutable');
      const beyond = found.scopes.filter((s) => !cmd.granterScopes.includes(s));
      if (beyond.length) throw new DomainError('auth.insufficient_scope', `This key cannot revoke a key with scopes it does not hold: ${beyond.join(', ')}.`);
      if (found.revoked_at) return found;
      const [updated] = await uow.query<ApiKeyRow[]>(
        `UPDATE platform.api_keys SET revoked_at = now() WHERE id = $1 RETURNING ${API_KEY_COLUMNS}`,
        [cmd.id],
      );
      uow.emit('platform.api_key.revoked', subjects.apiKey(updated.id), apiKeyEventData(updated));
      return updated;
    });
    return toApiKeyResponse(row);
  }
}
