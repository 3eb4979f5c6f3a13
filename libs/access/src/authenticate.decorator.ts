import { SetMetadata } from '@nestjs/common';
import type { CallerKind } from './principals';

export const PUBLIC_ROUTE = 'credence:public-route';
export const ACCEPTED_CALLERS = 'credence:accepted-callers';

/**
 * The route answers without credentials: health, metrics, discovery, JWKS, sign-in. Say why in
 * `reason` when the route authenticates by a protocol of its own. Everything else is closed.
 */
export const Public = (reason = 'public') => SetMetadata(PUBLIC_ROUTE, reason);

/**
 * The callers the route accepts; the global AuthenticationGuard authenticates the request as one of
 * them, or answers 401. A route with neither this nor @Public() answers 401 to everyone.
 */
export const Authenticate = (...callers: [CallerKind, ...CallerKind[]]) => SetMetadata(ACCEPTED_CALLERS, callers);
