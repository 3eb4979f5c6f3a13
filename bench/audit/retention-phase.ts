import type { BenchContext } from './audit.bench';

/** Filled in once the retention worker lands. */
export async function retentionPhase(_ctx: BenchContext): Promise<unknown> {
  return { skipped: 'retention not measured yet' };
}
