import { ChangePasswordHandler } from './change-password/change-password.handler';
import { CurrentPasswordProof } from './change-password/current-password-proof';
import { ListOwnSessionsHandler } from './list-own-sessions/list-own-sessions.handler';
import { MeController } from './me.controller';
import { RevokeOwnSessionHandler } from './revoke-own-session/revoke-own-session.handler';
import { UpdateProfileHandler } from './update-profile/update-profile.handler';

export const ME_CONTROLLERS = [MeController];
export const ME_PROVIDERS = [CurrentPasswordProof, UpdateProfileHandler, ChangePasswordHandler, ListOwnSessionsHandler, RevokeOwnSessionHandler];
