import { z } from 'zod';

/** A yes/no environment variable: `true`/`1` or `false`/`0`, nothing else. */
export const envBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
