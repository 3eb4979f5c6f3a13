import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Entry } from 'ldapts';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { applyRuleGrants, Connection, LdapReadSession, LdapSyncSource, LdapUnavailable, rolesForGroups, subjectOf } from '@credence/federation';
import { USER_SESSIONS_REVOKER, UserSessionsRevoker } from '@credence/identity';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { isRecordError, SyncUserRecord } from '../../batch/sync-user-record';
import { applyChunk } from '../../runs/process-run/apply-chunk';
import { findMissing } from '../../runs/process-run/disable-missing';
import { ProcessSyncRun } from '../../runs/process-run/process-sync-run';
import { addCounts, RunCounts, RunError } from '../../runs/process-run/run-tally';
import { loadSettings } from '../../sources/load-settings';
import type { SourceSettings } from '../../sources/source-settings';
import { entryAttributes, entryRecord, entryStamp } from '../entry-record';
import { changedSince, connectionOf, everyUserFilter, HighWater, LDAP_PAGE_SIZE, usernameAttribute } from '../ldap-source';
import { readGroupMap } from './group-map';
import { StampTracker } from './stamp-tracker';

interface LdapRun {
  id: string;
  source: string;
  mode: 'full' | 'incremental';
  force: boolean;
  status: string;
  started_at: Date | null;
  progress: Progress | null;
  done: string[];
}

export interface Progress {
  phase: 'listing' | 'applying' | 'disabling';
  /** True once a full run's id listing passed the disable share: a resumed run does not list again. */
  listed?: boolean;
  pages: number;
  entries_read: number;
  /** An incremental run that read every user because a group changed (or there was no mark yet). */
  read_all?: boolean;
}

class Refused extends Error {}

/**
 * One LDAP run (docs/sync.md, "LDAP directory sync"): the run is an ordinary sync run of source
 * `ldap-<connection id>`, applied by the sync API's machinery (applyChunk, the disable share,
 * disableLeavers, conflicts), fed page by page from the directory instead of from a stored batch.
 *
 * Each page is one transaction under the source's lock: its records applied, new users linked to the
 * connection (so LDAP sign-in finds them), the group → role rules applied to the records that changed,
 * and the page's ids added to the run's `done_external_ids` with its counts and progress. A worker
 * killed mid-run is retried by BullMQ: the retry searches again and skips the ids already done, so
 * nothing is applied or counted twice. A full run first lists every id (ids only) and checks the
 * disable share before any write, so a refused run changes nothing.
 */
@Injectable()
export class RunLdapSync {
  private readonly logger = new Logger(RunLdapSync.name);
  /** Entries per page and transaction; tests lower it to see several pages from a small directory. */
  pageSize = LDAP_PAGE_SIZE;

  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly source: LdapSyncSource,
    private readonly processRun: ProcessSyncRun,
    @Inject(USER_SESSIONS_REVOKER) private readonly revoker: UserSessionsRevoker,
  ) {}

  async process(tenantId: string, runId: string): Promise<'completed' | 'failed' | 'skipped'> {
    const tenant = this.runner.assertAmbientTenant(tenantId);
    const run = await this.runner.inTenant((uow) => this.load(uow, runId));
    if (!run || run.status !== 'started') return 'skipped';
    const connectionId = connectionOf(run.source)!;
    const locks = [{ key: `sync-source:${tenant.id}:${run.source}` }];
    if (!run.started_at) {
      await this.runner.inTenant(async (uow) => {
        await uow.query(`UPDATE sync_runs SET started_at = coalesce(started_at, now()) WHERE id = $1`, [run.id]);
        uow.emit('sync.run.started', subjects.syncRun(run.id), { sync_id: run.id, source: run.source, mode: run.mode });
      });
    }
    const connection = await this.source.find(connectionId);
    if (!connection || connection.type !== 'ldap' || !connection.ldap) return this.fail(run, 'connection.not_found', 'The LDAP connection of this run no longer exists.');
    const settings = await this.runner.inTenant((uow) => loadSettings(uow, run.source));
    const [state] = await this.runner.inTenant((uow) =>
      uow.query<{ high_water: HighWater | null }[]>(`SELECT high_water FROM ldap_sync WHERE connection_id = $1`, [connectionId]),
    );

    let session: LdapReadSession | undefined;
    try {
      session = await this.source.open(connection);
      const dse = await session.rootDse(['highestCommittedUSN']);
      const usn = [dse.highestCommittedUSN].flat()[0];
      const stamps = new StampTracker(state?.high_water ?? null, typeof usn === 'string' && /^\d+$/.test(usn) ? usn : undefined, Date.now());
      const groups = await readGroupMap(session, stamps);
      const incremental = run.mode === 'incremental' && stamps.from !== null && !groups.changed;
      // pages and entries_read describe this attempt's reading (a resumed run reads again, skipping what is done); the counts are the run's.
      const progress: Progress = { listed: run.progress?.listed, pages: 0, entries_read: 0, phase: 'applying', read_all: run.mode === 'incremental' && !incremental };
      const base = connection.ldap.user_search_base;
      const filter = incremental ? changedSince(everyUserFilter(connection), stamps.from!) : everyUserFilter(connection);

      if (run.mode === 'full' && !progress.listed) {
        await this.listAndCheck(session, run, settings, locks, progress);
        progress.listed = true;
      }
      const done = new Set(run.done);
      const usernameAttr = usernameAttribute(connection);
      for await (const page of session.pages(base, filter, entryAttributes(connection, usernameAttr), this.pageSize)) {
        progress.pages += 1;
        progress.entries_read += page.length;
        for (const e of page) stamps.see(entryStamp(e));
        const fresh = page.filter((e) => !done.has(subjectOf(e) ?? `dn:${e.dn}`));
        await this.runner.inTenant((uow) => this.applyPage(uow, tenant.id, run, connection, settings, fresh, usernameAttr, groups.map, progress), { locks });
        for (const e of fresh) done.add(subjectOf(e) ?? `dn:${e.dn}`);
      }
      if (run.mode === 'full') {
        await this.saveProgress(run.id, { ...progress, phase: 'disabling' });
        await this.processRun.disableLeavers(tenant.id, { id: run.id, source: run.source, total: 0 }, settings, locks);
      }
      await this.runner.inTenant(async (uow) => {
        await uow.query(
          `INSERT INTO ldap_sync (connection_id, high_water, last_run_at, last_full_at) VALUES ($1, $2, now(), CASE WHEN $3 THEN now() END)
           ON CONFLICT (connection_id) DO UPDATE SET high_water = EXCLUDED.high_water, last_run_at = now(),
             last_full_at = CASE WHEN $3 THEN now() ELSE ldap_sync.last_full_at END, updated_at = now()`,
          [connectionId, JSON.stringify(stamps.next()), run.mode === 'full'],
        );
        await this.processRun.complete(uow, run.id);
      });
      return 'completed';
    } catch (err) {
      if (err instanceof Refused) return 'failed';
      if (err instanceof LdapUnavailable) {
        this.logger.warn({ sync_id: run.id, connection_id: connectionId, detail: err.detail }, 'LDAP sync failed: directory unavailable');
        return this.fail(run, 'federation.ldap_unavailable', `The directory cannot be read: ${err.detail}`);
      }
      // A configuration fault no retry mends: the run fails with it at once (the store has logged the detail).
      if (err instanceof DomainError && err.code === 'federation.secrets_unreadable') return this.fail(run, err.code, err.message);
      throw err;
    } finally {
      await session?.close().catch(() => undefined);
    }
  }

  /** A full run's first step: every user's id (ids only), stored as the run's seen ids, then the disable share. */
  private async listAndCheck(session: LdapReadSession, run: LdapRun, settings: SourceSettings, locks: { key: string }[], progress: Progress): Promise<void> {
    const ids: string[] = [];
    const connection = session.connection;
    for await (const page of session.pages(connection.ldap!.user_search_base, everyUserFilter(connection), ['entryUUID', 'objectGUID'], this.pageSize)) {
      for (const e of page) {
        const id = subjectOf(e);
        if (id) ids.push(id);
      }
    }
    const refused = await this.runner.inTenant(
      async (uow) => {
        await uow.query(`UPDATE sync_runs SET seen_external_ids = $2, progress = $3 WHERE id = $1`, [
          run.id,
          ids,
          JSON.stringify({ ...progress, phase: 'listing', listed: true }),
        ]);
        if (run.force) return undefined;
        const { missing, enabled } = await findMissing(uow, run.source, run.id);
        if (!missing.length || missing.length <= settings.max_disable_share * enabled) return undefined;
        return `${missing.length} of ${enabled} users, max_disable_share ${settings.max_disable_share}`;
      },
      { locks },
    );
    if (refused) {
      await this.fail(
        run,
        'sync.disable_share_exceeded',
        `The run would disable more of the source's users than its max_disable_share allows; nothing was changed (${refused}).`,
      );
      throw new Refused();
    }
  }

  private async applyPage(
    uow: UnitOfWork,
    tenantId: string,
    run: LdapRun,
    connection: Connection,
    settings: SourceSettings,
    entries: Entry[],
    usernameAttr: string,
    groupMap: Map<string, string[]>,
    progress: Progress,
  ): Promise<void> {
    const records: SyncUserRecord[] = [];
    const refused: RunError[] = [];
    const seen = new Set<string>();
    for (const e of entries) {
      const r = entryRecord(e, connection, usernameAttr, groupMap);
      if (isRecordError(r)) refused.push({ external_id: r.external_id, code: r.code, message: r.message } as RunError);
      else if (!seen.has(r.external_id)) {
        seen.add(r.external_id);
        records.push(r);
      }
    }
    await this.adoptLinkedUsers(uow, run.source, connection.id, records);
    const out = records.length ? await applyChunk({ uow, tenantId, runId: run.id, settings, revoker: this.revoker }, records) : undefined;
    const created = out?.changed.filter((c) => c.created) ?? [];
    if (created.length) {
      await uow.query(
        `INSERT INTO federated_identities (connection_id, subject, user_id) SELECT $1, x.subject, x.user_id FROM jsonb_to_recordset($2::jsonb) AS x(subject text, user_id uuid) ON CONFLICT DO NOTHING`,
        [connection.id, JSON.stringify(created.map((c) => ({ subject: c.external_id, user_id: c.user_id })))],
      );
    }
    await this.applyRoleRules(uow, tenantId, connection, out?.changed ?? []);
    const ids = entries.map((e) => subjectOf(e) ?? `dn:${e.dn}`);
    const counts: Partial<RunCounts> = { ...(out?.counts ?? {}), received: entries.length } as Partial<RunCounts>;
    counts.failed = (out?.counts.failed ?? 0) + refused.length;
    const [row] = await uow.query<{ counts: RunCounts }[]>(`SELECT counts FROM sync_runs WHERE id = $1 FOR UPDATE`, [run.id]);
    await uow.query(
      `UPDATE sync_runs SET counts = $2, errors = errors || $3::jsonb, done_external_ids = done_external_ids || $4::text[],
         seen_external_ids = CASE WHEN mode = 'full' THEN seen_external_ids || $4::text[] ELSE seen_external_ids END, progress = $5
       WHERE id = $1`,
      [run.id, JSON.stringify(addCounts(row.counts, counts)), JSON.stringify([...refused, ...(out?.errors ?? [])]), ids, JSON.stringify(progress)],
    );
  }

  /**
   * The group → role rules for the records that changed. A user whose groups name no role and who holds
   * no grant of this connection has nothing to grant or withdraw: one read for the page finds those
   * who hold grants, and only users with a role to get or a grant to check are handled one by one.
   */
  private async applyRoleRules(uow: UnitOfWork, tenantId: string, connection: Connection, changed: { user_id: string; groups: string[] }[]): Promise<void> {
    if (!changed.length) return;
    const holders = await uow.query<{ user_id: string }[]>(`SELECT DISTINCT user_id FROM federated_role_grants WHERE connection_id = $1 AND user_id = ANY ($2::uuid[])`, [
      connection.id,
      changed.map((c) => c.user_id),
    ]);
    const holding = new Set(holders.map((h) => h.user_id));
    for (const c of changed) {
      const wanted = rolesForGroups(connection.groupRoleMapping, c.groups);
      if (wanted.length || holding.has(c.user_id)) await applyRuleGrants(uow, tenantId, connection.id, c.user_id, wanted);
    }
  }

  /**
   * A directory user who signed in through the connection before any sync (JIT) is linked by its subject
   * but has no sync_state: it gets one holding its current values, so the run updates it (the source's
   * values, field by field) instead of refusing it as another user's e-mail.
   */
  private async adoptLinkedUsers(uow: UnitOfWork, source: string, connectionId: string, records: SyncUserRecord[]): Promise<void> {
    if (!records.length) return;
    await uow.query(
      `INSERT INTO sync_state (source, entity, external_id, user_id, content_hash, applied)
       SELECT $1, 'user', f.subject, u.id, '',
              jsonb_build_object('email', u.email, 'username', u.username, 'display_name', u.display_name, 'status', u.status, 'attributes', u.attributes)
         FROM federated_identities f JOIN users u ON u.id = f.user_id
        WHERE f.connection_id = $2 AND f.subject = ANY ($3::text[])
          AND NOT EXISTS (SELECT 1 FROM sync_state s WHERE s.source = $1 AND s.entity = 'user' AND (s.external_id = f.subject OR s.user_id = u.id))
       ON CONFLICT DO NOTHING`,
      [source, connectionId, records.map((r) => r.external_id)],
    );
  }

  /** The run's last attempt failed on something other than the directory: it is failed, so the connection can run again. */
  async giveUp(runId: string): Promise<void> {
    const run = await this.runner.inTenant((uow) => this.load(uow, runId));
    if (run?.status === 'started') await this.fail(run, 'service.unavailable', 'The run failed on every attempt; start it again.');
  }

  private async saveProgress(id: string, progress: Progress): Promise<void> {
    await this.runner.inTenant((uow) => uow.query(`UPDATE sync_runs SET progress = $2 WHERE id = $1`, [id, JSON.stringify(progress)]));
  }

  private async fail(run: Pick<LdapRun, 'id' | 'source' | 'mode'>, code: string, message: string): Promise<'failed'> {
    await this.runner.inTenant(async (uow) => {
      const [row] = await uow.query<{ id: string }[]>(
        `UPDATE sync_runs SET status = 'failed', failure = $2, completed_at = now(), seen_external_ids = '{}', done_external_ids = '{}' WHERE id = $1 AND status = 'started' RETURNING id`,
        [run.id, JSON.stringify({ code, message })],
      );
      if (row) uow.emit('sync.run.failed', subjects.syncRun(run.id), { sync_id: run.id, source: run.source, mode: run.mode, error: code });
    });
    return 'failed';
  }

  private async load(uow: UnitOfWork, id: string): Promise<LdapRun | undefined> {
    const [row] = await uow.query<LdapRun[]>(`SELECT id, source, mode, force, status, started_at, progress, done_external_ids AS done FROM sync_runs WHERE id = $1`, [id]);
    return row;
  }
}
