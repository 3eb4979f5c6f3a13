import { IntrospectionController } from './introspection.controller';
import { TokenIntrospection } from './token-introspection';
import { TokenRevocation } from './token-revocation';

export const INTROSPECTION_CONTROLLERS = [IntrospectionController];
export const INTROSPECTION_PROVIDERS = [TokenIntrospection, TokenRevocation];
