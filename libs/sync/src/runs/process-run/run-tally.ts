/** What a run did, kept on the run as it goes (`counts`) and in sync.run.completed. */
export interface RunCounts {
  processed: number;
  failed: number;
  created: number;
  updated: number;
  unchanged: number;
  disabled: number;
  conflicts: number;
}

export interface RunError {
  external_id: string | null;
  code: string;
  message: string;
}

export const emptyCounts = (): RunCounts => ({ processed: 0, failed: 0, created: 0, updated: 0, unchanged: 0, disabled: 0, conflicts: 0 });

export function addCounts(a: RunCounts, b: Partial<RunCounts>): RunCounts {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k as keyof RunCounts] = (out[k as keyof RunCounts] ?? 0) + (v ?? 0);
  return out;
}
