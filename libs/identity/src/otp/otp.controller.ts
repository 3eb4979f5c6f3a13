import { Body, Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Public } from '@credence/access';
import { ApiErrors } from '@credence/http';
import { TenantRouteGuard } from '@credence/tenancy';
import { LoginResponse } from '../login/dto/token-pair.response';
import { clientInfo } from '../sessions/client-info';
import { RequestOtpDto, VerifyOtpDto } from './dto/otp.dto';
import { destinationOf } from './otp-destination';
import { OtpRequest } from './otp-request';
import { OtpVerify } from './otp-verify';

type HttpRequest = { ip?: string; headers: Record<string, string | string[] | undefined> };

@ApiTags('sign-in')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/auth/otp')
@Public('sign-in: the one-time code is the credential')
@UseGuards(TenantRouteGuard)
export class OtpController {
  constructor(
    private readonly otpRequest: OtpRequest,
    private readonly otpVerify: OtpVerify,
  ) {}

  @Post('request')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Always 202, whether or not an account has this address: a code is sent only when one does. Valid 5 minutes.' })
  @ApiErrors(400, 404, 429, 503)
  async request(@Param('tenant') _t: string, @Body() dto: RequestOtpDto, @Req() req: HttpRequest): Promise<void> {
    await this.otpRequest.request(destinationOf(dto), clientInfo(req));
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponse, description: 'The same answer as password login.' })
  @ApiErrors(400, 403, 404, 423, 429, 503)
  verify(@Param('tenant') _t: string, @Body() dto: VerifyOtpDto, @Req() req: HttpRequest): Promise<LoginResponse> {
    const client = clientInfo(req, { deviceType: dto.device_type, location: dto.location });
    return this.otpVerify.verify(destinationOf(dto), dto.code, client);
  }
}
