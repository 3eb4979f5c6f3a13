import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, Matches } from 'class-validator';
import { PERMISSION_PATTERN, SCOPES } from '../../authz/permission';

export const PermissionList = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(200),
    ArrayUnique(),
    IsString({ each: true }),
    Matches(PERMISSION_PATTERN, { each: true, message: `each of permissions must read resource.action:scope with scope ${SCOPES.join(', ')}` }),
  );
