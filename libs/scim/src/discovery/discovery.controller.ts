import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import { Public } from '@credence/access';
import { CurrentDirectory, ScimDirectory } from '../auth/scim-directory';
import { ScimTokenGuard } from '../auth/scim-token.guard';
import { scimError, ScimRoute } from '../scim-error';
import { LIST_URN } from '../scim-schemas';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery';

function list(resources: unknown[]) {
  return { schemas: [LIST_URN], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}

function one<T extends { id: string }>(resources: T[], id: string): T {
  const found = resources.find((r) => r.id === id);
  if (!found) throw scimError('scim.not_found', `No ${id.slice(0, 100)} here.`);
  return found;
}

/** RFC 7644 §4 discovery; behind the directory token like every SCIM route (§4 lets a server ask for it). */
@ApiTags('scim')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/scim/v2')
@Public('SCIM: authenticated by the directory bearer token (ScimTokenGuard)')
@UseGuards(ScimTokenGuard)
export class ScimDiscoveryController {
  @Get('ServiceProviderConfig')
  @ScimRoute()
  config(@CurrentDirectory() d: ScimDirectory) {
    return serviceProviderConfig(d.base);
  }

  @Get('ResourceTypes')
  @ScimRoute()
  types(@CurrentDirectory() d: ScimDirectory) {
    return list(resourceTypes(d.base));
  }

  @Get('ResourceTypes/:id')
  @ScimRoute()
  type(@CurrentDirectory() d: ScimDirectory, @Param('id') id: string) {
    return one(resourceTypes(d.base), id);
  }

  @Get('Schemas')
  @ScimRoute()
  schemaList(@CurrentDirectory() d: ScimDirectory) {
    return list(schemas(d.base));
  }

  @Get('Schemas/:id')
  @ScimRoute()
  schema(@CurrentDirectory() d: ScimDirectory, @Param('id') id: string) {
    return one(schemas(d.base), id);
  }
}
