/** Loaded by load-client.ts in verify mode only: boots an app of its own and hands back its TokenVerifier. */
import 'reflect-metadata';
import { loadConfig } from '@credence/config';
import { TokenVerifier } from '@credence/identity';
import { createApp } from '@credence/runtime';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

export async function bootVerifier(env: Record<string, string>): Promise<{ verifier: TokenVerifier; close: () => Promise<void> }> {
  const { config } = loadConfig(env);
  const app = await createApp(config, 'bench-verify', [AuthAppModule]);
  await app.init();
  return { verifier: app.get(TokenVerifier), close: () => app.close() };
}
