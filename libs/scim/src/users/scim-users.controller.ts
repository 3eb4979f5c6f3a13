import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@credence/access';
import { CurrentDirectory, ScimDirectory } from '../auth/scim-directory';
import { ScimTokenGuard } from '../auth/scim-token.guard';
import { project } from '../list/list-request';
import { ScimRoute } from '../scim-error';
import { CreateScimUser } from './create-scim-user/create-scim-user';
import { DeleteScimUser } from './delete-scim-user/delete-scim-user';
import { ListScimUsers } from './list-scim-users/list-scim-users';
import { ScimUserStore } from './scim-user-store';
import { UpdateScimUser } from './update-scim-user/update-scim-user';
import { toScimUser } from './user-resource';
import { listRequest } from '../list/list-request';
import { USER_ATTRIBUTES } from './user-resource';

type Resource = Record<string, unknown>;

/** Sends a resource with its ETag and, on create, its Location (RFC 7644 §3.1, §3.14). */
export function sendResource(reply: FastifyReply, resource: Resource, status = 200): Resource {
  const meta = resource.meta as { version: string; location: string };
  reply.status(status).header('etag', meta.version);
  if (status === 201) reply.header('location', meta.location);
  return resource;
}

/** SCIM 2.0 Users (RFC 7644 §3) for a directory's bearer token. */
@ApiTags('scim')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/scim/v2/Users')
@Public('SCIM: authenticated by the directory bearer token (ScimTokenGuard)')
@UseGuards(ScimTokenGuard)
export class ScimUsersController {
  constructor(
    private readonly creating: CreateScimUser,
    private readonly updating: UpdateScimUser,
    private readonly deleting: DeleteScimUser,
    private readonly listing: ListScimUsers,
    private readonly store: ScimUserStore,
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
    const resource = sendResource(reply, toScimUser(await this.store.read(d.id, id), d.base));
    return project(resource, listRequest(query, USER_ATTRIBUTES));
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
