import { HostedLogin } from './hosted-login';
import { LoginPageController } from './login-page.controller';

export const LOGIN_PAGE_CONTROLLERS = [LoginPageController];
export const LOGIN_PAGE_PROVIDERS = [HostedLogin];
