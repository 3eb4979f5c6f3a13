/** Deliveries to one answering endpoint at once per process. */
export const PER_ENDPOINT = 4;
/** Deliveries to one silent endpoint (its last attempt got no answer) at once per process: one probe. */
export const PER_SILENT_ENDPOINT = 1;

/** An endpoint none of whose attempts ended for this long (while all its slots are taken) is not waited for in process. */
const MAX_IN_PROCESS_WAIT_MS = 1_000;
/** Longest a delivery waits in process for an endpoint that keeps answering (a deep queue of a fast endpoint). */
const MAX_ANSWERING_WAIT_MS = 10_000;
/** Longest a delivery to a silent endpoint is parked in the queue before it looks again. */
export const MAX_PARK_MS = 5 * 60_000;
/** Endpoints remembered; past it the memory starts again. */
const MAX_ENDPOINTS_TRACKED = 100_000;
/** Most deliveries waiting in process for one endpoint. */
const MAX_WAITERS = 500;
/** Most parked jobs remembered per silent endpoint, to wake when it answers again (the rest wait out their time). */
const MAX_PARKED_REMEMBERED = 1_000;

type Waiter = (startedAt: number | undefined) => void;

/**
 * Who may post to an endpoint now, in this process. An endpoint that answers (any HTTP status) gets
 * PER_ENDPOINT attempts at once; when they are all taken a delivery waits here as long as the
 * endpoint keeps answering, rather than going back to the queue as a job of its own.
 *
 * An endpoint whose last attempt got no answer (timed out, refused) is silent: it gets one attempt
 * at a time (the probe), nobody waits for it in process, and a delivery that finds the probe out is
 * parked in the queue for about as long as the endpoint has been silent (at least one timeout, at
 * most MAX_PARK_MS). So a dead endpoint's backlog costs a few queue round trips per delivery over
 * hours rather than one per timeout, and holds one worker slot rather than PER_ENDPOINT. Its first
 * answer ends the silence and names the jobs this process parked for it, to be woken at once.
 */
export class EndpointSlots {
  /** When each attempt in flight to an endpoint started. */
  private readonly inFlight = new Map<string, number[]>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly answeredAt = new Map<string, number>();
  private readonly silentSince = new Map<string, number>();
  private readonly parkedJobs = new Map<string, Set<string>>();

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A slot (resolves with its start), or undefined: the delivery goes back to the queue for `park()`. */
  async acquire(webhookId: string): Promise<number | undefined> {
    const started = this.inFlight.get(webhookId) ?? [];
    if (started.length < this.limit(webhookId)) return this.take(webhookId, started);
    if (this.silentSince.has(webhookId)) return undefined;
    const waiting = this.waiters.get(webhookId) ?? [];
    if (waiting.length >= MAX_WAITERS || (this.now() - Math.min(...started) > MAX_IN_PROCESS_WAIT_MS && !this.answering(webhookId))) return undefined;
    this.waiters.set(webhookId, waiting);
    const since = this.now();
    return new Promise<number | undefined>((resolve) => {
      let timer: NodeJS.Timeout;
      const take: Waiter = (at) => {
        clearTimeout(timer);
        resolve(at);
      };
      const giveUpUnlessAnswering = () => {
        if (this.answering(webhookId) && this.now() - since < MAX_ANSWERING_WAIT_MS) {
          timer = setTimeout(giveUpUnlessAnswering, MAX_IN_PROCESS_WAIT_MS);
          return;
        }
        this.dropWaiter(webhookId, take);
        resolve(undefined);
      };
      timer = setTimeout(giveUpUnlessAnswering, MAX_IN_PROCESS_WAIT_MS);
      waiting.push(take);
    });
  }

  /**
   * The attempt that started at `startedAt` ended; `answered` when the endpoint sent a response
   * (undefined: the slot was given back unused). Returns the jobs parked for the endpoint's silence
   * when this answer ended it (to wake), else none.
   */
  release(webhookId: string, startedAt: number, answered?: boolean): string[] {
    const wake = answered === undefined ? [] : this.remember(webhookId, answered);
    const started = this.inFlight.get(webhookId);
    if (!started) return wake;
    started.splice(Math.max(0, started.indexOf(startedAt)), 1);
    const waiting = this.waiters.get(webhookId) ?? [];
    while (waiting.length && started.length < this.limit(webhookId)) waiting.shift()!(this.take(webhookId, started));
    // A silent endpoint is not waited for: the rest go back to the queue.
    if (this.silentSince.has(webhookId)) for (const next of waiting.splice(0)) next(undefined);
    if (!waiting.length) this.waiters.delete(webhookId);
    if (!started.length) this.inFlight.delete(webhookId);
    return wake;
  }

  /**
   * A delivery that got no slot goes back to the queue as job `jobId`: how long it waits there, with
   * jitter. A silent endpoint's wait is as long as it has been silent (one timeout at least), and the
   * job is remembered to be woken when the endpoint answers; a busy one's lasts until its oldest
   * attempt times out.
   */
  park(webhookId: string, jobId: string): number {
    const silentSince = this.silentSince.get(webhookId);
    const now = this.now();
    if (silentSince !== undefined) {
      this.rememberParked(webhookId, jobId);
      const wait = Math.min(Math.max(now - silentSince, this.timeoutMs), MAX_PARK_MS);
      return Math.round(wait * (1 + Math.random() * 0.5));
    }
    const oldest = Math.min(...(this.inFlight.get(webhookId) ?? [now]));
    const left = oldest + this.timeoutMs - now;
    return Math.round(Math.max(left, 100) + 100 + Math.random() * 400);
  }

  /** A slot is free now: acquire() would not wait. */
  hasFree(webhookId: string): boolean {
    return (this.inFlight.get(webhookId)?.length ?? 0) < this.limit(webhookId);
  }

  /** The endpoint's last attempt got no answer, and none has answered since. */
  silent(webhookId: string): boolean {
    return this.silentSince.has(webhookId);
  }

  private limit(webhookId: string): number {
    return this.silentSince.has(webhookId) ? PER_SILENT_ENDPOINT : PER_ENDPOINT;
  }

  private take(webhookId: string, started: number[]): number {
    const at = this.now();
    started.push(at);
    this.inFlight.set(webhookId, started);
    return at;
  }

  /** An attempt to the endpoint was answered within MAX_IN_PROCESS_WAIT_MS. */
  private answering(webhookId: string): boolean {
    return this.now() - (this.answeredAt.get(webhookId) ?? -Infinity) < MAX_IN_PROCESS_WAIT_MS;
  }

  /** Records how the attempt ended; the parked jobs to wake when an answer ended a silence. */
  private remember(webhookId: string, answered: boolean): string[] {
    if (this.answeredAt.size >= MAX_ENDPOINTS_TRACKED) this.answeredAt.clear();
    if (this.silentSince.size >= MAX_ENDPOINTS_TRACKED) this.silentSince.clear();
    if (!answered) {
      if (!this.silentSince.has(webhookId)) this.silentSince.set(webhookId, this.now());
      return [];
    }
    this.answeredAt.set(webhookId, this.now());
    this.silentSince.delete(webhookId);
    const wake = [...(this.parkedJobs.get(webhookId) ?? [])];
    this.parkedJobs.delete(webhookId);
    return wake;
  }

  private rememberParked(webhookId: string, jobId: string): void {
    const jobs = this.parkedJobs.get(webhookId) ?? new Set<string>();
    if (jobs.size >= MAX_PARKED_REMEMBERED) return;
    if (this.parkedJobs.size >= MAX_ENDPOINTS_TRACKED) this.parkedJobs.clear();
    this.parkedJobs.set(webhookId, jobs.add(jobId));
  }

  private dropWaiter(webhookId: string, waiter: Waiter): void {
    const waiting = this.waiters.get(webhookId);
    if (!waiting) return;
    const at = waiting.indexOf(waiter);
    if (at >= 0) waiting.splice(at, 1);
    if (!waiting.length) this.waiters.delete(webhookId);
  }
}
