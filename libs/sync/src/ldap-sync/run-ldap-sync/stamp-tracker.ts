import { formatGeneralizedTime, HighWater, parseGeneralizedTime } from '../ldap-source';

/** How far behind the run's start the timestamp mark stays: entries changed while a run reads are read again next time (unchanged ones cost a hash compare). */
const CLOCK_MARGIN_MS = 5 * 60_000;

/**
 * The high-water mark a run leaves for the next incremental one. Active Directory: the
 * highestCommittedUSN read before the run's first search. Otherwise the newest modifyTimestamp the
 * run saw, but never later than its start minus a margin, so a change made while it ran (or on a
 * directory whose clock runs a little ahead) is not skipped.
 */
export class StampTracker {
  private newestMs: number | undefined;

  constructor(
    private readonly previous: HighWater | null,
    private readonly usnAtStart: string | undefined,
    private readonly startedMs: number,
  ) {}

  get kind(): HighWater['kind'] {
    return this.usnAtStart ? 'usn' : 'timestamp';
  }

  /** The mark an incremental run may search from (null: none usable, read everything). */
  get from(): HighWater | null {
    return this.previous && this.previous.kind === this.kind ? this.previous : null;
  }

  /** Notes an entry's stamp; true when it is newer than the previous mark (the entry changed since). */
  see(stamp: { usn?: bigint; ms?: number }): boolean {
    if (stamp.ms !== undefined && (this.newestMs === undefined || stamp.ms > this.newestMs)) this.newestMs = stamp.ms;
    const from = this.from;
    if (!from) return true;
    if (from.kind === 'usn') return stamp.usn === undefined || stamp.usn > BigInt(from.value);
    const fromMs = parseGeneralizedTime(from.value)!;
    // Strictly newer: the mark is at least CLOCK_MARGIN_MS before the run that set it started, so that run saw every change of the mark's second.
    return stamp.ms === undefined || stamp.ms > fromMs;
  }

  next(): HighWater | null {
    if (this.usnAtStart) return { kind: 'usn', value: this.usnAtStart };
    if (this.newestMs === undefined) return this.from;
    const mark = Math.min(this.newestMs, this.startedMs - CLOCK_MARGIN_MS);
    const previous = this.from ? parseGeneralizedTime(this.from.value)! : -Infinity;
    return { kind: 'timestamp', value: formatGeneralizedTime(Math.max(mark, previous)) };
  }
}
