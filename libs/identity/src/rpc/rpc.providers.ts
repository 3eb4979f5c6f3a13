import { TransportAccessChecker } from './transport-access-checker';
import { TransportTokenValidator } from './transport-token-validator';

export const RPC_PROVIDERS = [TransportTokenValidator, TransportAccessChecker];
