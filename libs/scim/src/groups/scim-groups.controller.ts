import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@credence/access';
import { CurrentDirectory, ScimDirectory } from '../auth/scim-directory';
import { ScimTokenGuard } from '../auth/scim-token.guard';
import { listRequest, project } from '../list/list-request';
import { ScimRoute } from '../scim-error';
import { sendResource } from '../users/scim-users.controller';
import { CreateScimGroup } from './create-scim-group/create-scim-group';
import { DeleteScimGroup } from './delete-scim-group/delete-scim-group';
import { GROUP_ATTRIBUTES, toScimGroup } from './group-resource';
import { ListScimGroups } from './list-scim-groups/list-scim-groups';
import { ScimGroupStore } from './scim-group-store';
import { UpdateScimGroup } from './update-scim-group/update-scim-group';

/** SCIM 2.0 Groups (RFC 7644 §3) for a directory's bearer token. */
@ApiTags('scim')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/scim/v2/Groups')
@Public('SCIM: authenticated by the directory bearer token (ScimTokenGuard)')
@UseGuards(ScimTokenGuard)
export class ScimGroupsController {
  constructor(
    private readonly creating: CreateScimGroup,
    private readonly updating: UpdateScimGroup,
    private readonly deleting: DeleteScimGroup,
    private readonly listing: ListScimGroups,
    private readonly store: ScimGroupStore,
  ) {}

  @Post()
  @ScimRoute()
  async create(@CurrentDirectory() d: ScimDirectory, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendResource(reply, await this.creating.execute(d, body), 201);
  }

  @Get()
  @ScimRoute()
  list(@CurrentDirectory() d: ScimDirectory, @Query() query: Record<string, unknown>) {
    return this.listing.execute(d, query);
  }

  @Get(':id')
  @ScimRoute()
  async get(@CurrentDirectory() d: ScimDirectory, @Param('id') id: string, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const resource = sendResource(reply, toScimGroup(await this.store.read(d.id, id), d.base));
    return project(resource, listRequest(query, GROUP_ATTRIBUTES));
  }

  @Put(':id')
  @ScimRoute()
  async replace(
    @CurrentDirectory() d: ScimDirectory,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendResource(reply, await this.updating.replace(d, id, body, ifMatch));
  }

  @Patch(':id')
  @ScimRoute()
  async patch(
    @CurrentDirectory() d: ScimDirectory,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendResource(reply, await this.updating.patch(d, id, body, ifMatch));
  }

  @Delete(':id')
  @HttpCode(204)
  @ScimRoute()
  async remove(@CurrentDirectory() d: ScimDirectory, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.deleting.execute(d, id, ifMatch);
  }
}
