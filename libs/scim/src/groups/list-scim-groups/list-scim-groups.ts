import { Injectable } from '@nestjs/common';
import type { ScimDirectory } from '../../auth/scim-directory';
import { listRequest, listResponse, MAX_SCAN, narrowing } from '../../list/list-request';
import { scimError } from '../../scim-error';
import { GROUP_ATTRIBUTES, toScimGroup } from '../group-resource';
import { ScimGroupStore } from '../scim-group-store';

/** GET /Groups: narrowed in SQL by an equality on id, displayName or externalId where the filter has one, then filtered, sorted and paged. */
@Injectable()
export class ListScimGroups {
  constructor(private readonly store: ScimGroupStore) {}

  async execute(directory: ScimDirectory, query: Record<string, unknown>) {
    const req = listRequest(query, GROUP_ATTRIBUTES);
    const narrow = narrowing(req.filter, ScimGroupStore.narrowable);
    const rows = await this.store.candidates(directory.id, narrow, MAX_SCAN);
    if (!narrow && rows.length > MAX_SCAN) throw scimError('scim.too_many', `This directory has more than ${MAX_SCAN} groups; filter on id, displayName or externalId with eq.`);
    return listResponse(
      rows.map((r) => toScimGroup(r, directory.base)),
      req,
      GROUP_ATTRIBUTES,
    );
  }
}
