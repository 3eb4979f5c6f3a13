/**
 * Phase 4's CPU per login, split into the password hash and the rest, and what the logins would reach
 * with a core to spare (issue 14 item 3). The bare hashes use both cores; a login's own work (HTTP,
 * SQL, Redis, tokens, events) then competes with its hash for them. The projection gives that work a
 * third core, so the two hashing threads get the two cores the bare figure had: the logins are then
 * limited by their hashes (each as costly as it was in the window) or by the third core, whichever
 * comes first. The load client's CPU is left out: it is the users' machines.
 */
import { CpuSplit, round } from './shared';

export interface LoginCpu {
  /** CPU per bare hash (the hashing threads in the bare window). */
  bare_hash_ms: number;
  bare_hashes_per_s: number;
  /** Per login in its window: the hashing threads, the rest of the app process, Postgres, Redis, the load client. */
  hash_ms: number;
  app_ms: number;
  pg_ms: number;
  redis_ms: number;
  client_ms: number;
}

export interface SpareCore {
  /** A login's work apart from its hash, on the server's side (app without the hashers, Postgres, Redis). */
  work_ms: number;
  /** Logins/s ÷ bare hashes/s if only the hashes limited them: bare CPU per hash ÷ a login's hashing CPU. */
  hash_bound_ratio: number;
  /** Logins/s one core would carry of that work, ÷ bare hashes/s. */
  core_bound_ratio: number;
  /** The lower of the two: the ratio the logins would reach with a core to spare. */
  ratio: number;
}

const ms = (seconds: number, ops: number) => round((seconds * 1000) / Math.max(1, ops), 2);

/** Undefined off Linux (no CPU split) or when a window saw no operations. */
export function loginCpuPerOp(hashes: number, hashCpu: CpuSplit | undefined, logins: number, loginCpu: CpuSplit | undefined): LoginCpu | undefined {
  if (!hashCpu || !loginCpu || !hashes || !logins || !hashCpu.app_hashing_s) return undefined;
  return {
    bare_hash_ms: ms(hashCpu.app_hashing_s, hashes),
    bare_hashes_per_s: round(hashes / hashCpu.wall_s, 1),
    hash_ms: ms(loginCpu.app_hashing_s, logins),
    app_ms: ms(loginCpu.app_s - loginCpu.app_hashing_s, logins),
    pg_ms: ms(loginCpu.pg_s, logins),
    redis_ms: ms(loginCpu.redis_s, logins),
    client_ms: ms(loginCpu.children_s, logins),
  };
}

/** The projection from the rounds' means (undefined when no round had a CPU split). */
export function spareCoreProjection(rounds: (LoginCpu | undefined)[]): SpareCore | undefined {
  const measured = rounds.filter((r): r is LoginCpu => !!r);
  if (!measured.length) return undefined;
  const mean = (f: (r: LoginCpu) => number) => measured.reduce((sum, r) => sum + f(r), 0) / measured.length;
  const work = mean((r) => r.app_ms + r.pg_ms + r.redis_ms);
  const hashBound = mean((r) => r.bare_hash_ms / r.hash_ms);
  const coreBound = mean((r) => 1000 / (r.app_ms + r.pg_ms + r.redis_ms) / r.bare_hashes_per_s);
  return { work_ms: round(work, 2), hash_bound_ratio: round(hashBound, 3), core_bound_ratio: round(coreBound, 3), ratio: round(Math.min(hashBound, coreBound), 3) };
}

export const showLoginCpu = (c: LoginCpu) =>
  `CPU per login in the window: hash ${c.hash_ms} ms (bare hash ${c.bare_hash_ms} ms) + app ${c.app_ms} + pg ${c.pg_ms} + redis ${c.redis_ms} ms; load client ${c.client_ms} ms`;

export const showSpareCore = (s: SpareCore) =>
  `with a core to spare for a login's ${s.work_ms} ms of work besides its hash: ratio ${s.ratio} ` +
  `(hashes alone would allow ${s.hash_bound_ratio}, one core for the rest ${s.core_bound_ratio})`;
