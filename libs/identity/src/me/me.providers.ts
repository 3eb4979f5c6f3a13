import { ChangePasswordHandler } from './change-password/change-password.handler';
import { ListOwnSessionsHandler } from './list-own-sessions/list-own-sessions.handler';
import { MeController } from './me.controller';
import { RevokeOwnSessionHandler } from './revoke-own-session/revoke-own-session.handler';
import { UpdateProfileHandler } from './update-profile/update-profile.handler';

export const ME_CONTROLLERS = [MeController];
export const ME_PROVIDERS = [UpdateProfileHandler, ChangePasswordHandler, ListOwnSessionsHandler, RevokeOwnSessionHandler];
