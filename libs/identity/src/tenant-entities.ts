import { User } from './users/entities/user.tenant-entity';

/** Entities whose tables live in every tenant schema. */
export const TENANT_ENTITIES = [User];
