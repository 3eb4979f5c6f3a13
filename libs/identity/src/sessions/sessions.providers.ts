import { USER_SESSIONS_REVOKER } from '../users/user-sessions-revoker';
import { BrowserSessions } from './browser-sessions';
import { RefreshSession } from './refresh-session';
import { SessionLifecycle } from './session-lifecycle';
import { SessionOwnerGuard } from './session-owner.guard';
import { SessionsController } from './sessions.controller';
import { SessionsOfUserRevoker } from './user-sessions-revoker.impl';

export const SESSIONS_CONTROLLERS = [SessionsController];
export const SESSIONS_PROVIDERS = [
  SessionLifecycle,
  BrowserSessions,
  RefreshSession,
  SessionOwnerGuard,
  SessionsOfUserRevoker,
  { provide: USER_SESSIONS_REVOKER, useExisting: SessionsOfUserRevoker },
];
