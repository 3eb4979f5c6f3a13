import { AcceptInvitation } from './accept-invitation';
import { InvitationsController } from './invitations.controller';

export const INVITATIONS_CONTROLLERS = [InvitationsController];
export const INVITATIONS_PROVIDERS = [AcceptInvitation];
