import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** The SCIM directory a request authenticated as, and the base URL its resources' locations start with. */
export interface ScimDirectory {
  id: string;
  tenantId: string;
  groupRoleMapping: { group: string; role: string }[];
  base: string;
}

export const CurrentDirectory = createParamDecorator((_data: unknown, ctx: ExecutionContext): ScimDirectory => {
  const directory = ctx.switchToHttp().getRequest<{ scimDirectory?: ScimDirectory }>().scimDirectory;
  if (!directory) throw new Error('SCIM route without ScimTokenGuard');
  return directory;
});
