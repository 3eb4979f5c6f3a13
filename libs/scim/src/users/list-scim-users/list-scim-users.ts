import { Injectable } from '@nestjs/common';
import type { ScimDirectory } from '../../auth/scim-directory';
import { listRequest, listResponse, MAX_SCAN, narrowing } from '../../list/list-request';
import { scimError } from '../../scim-error';
import { ScimUserStore } from '../scim-user-store';
import { toScimUser, USER_ATTRIBUTES } from '../user-resource';

/**
 * GET /Users. Without filter or sort, one page straight from SQL. With them, the candidates are read
 * (narrowed in SQL by a bound, indexed equality on id, userName or externalId when the filter has
 * one, as Entra ID's and Okta's `userName eq "..."` lookups do), then filtered and sorted in memory;
 * a scan of more than MAX_SCAN users is refused with 400 tooMany.
 */
@Injectable()
export class ListScimUsers {
  constructor(private readonly store: ScimUserStore) {}

  async execute(directory: ScimDirectory, query: Record<string, unknown>) {
    const req = listRequest(query, USER_ATTRIBUTES);
    if (!req.filter && !req.sortBy) {
      const { rows, total } = await this.store.page(directory.id, req.startIndex - 1, req.count);
      return listResponse(
        rows.map((r) => toScimUser(r, directory.base)),
        req,
        USER_ATTRIBUTES,
        total,
      );
    }
    const narrow = narrowing(req.filter, ScimUserStore.narrowable);
    const rows = await this.store.candidates(directory.id, narrow, MAX_SCAN);
    if (!narrow && rows.length > MAX_SCAN) throw scimError('scim.too_many', `This directory has more than ${MAX_SCAN} users; filter on id, userName or externalId with eq.`);
    return listResponse(
      rows.map((r) => toScimUser(r, directory.base)),
      req,
      USER_ATTRIBUTES,
    );
  }
}
