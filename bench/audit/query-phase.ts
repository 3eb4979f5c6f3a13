import type { BenchContext } from './audit.bench';

/** Filled in once the read API lands. */
export async function queryPhase(_ctx: BenchContext): Promise<unknown> {
  return { skipped: 'read API not measured yet' };
}
