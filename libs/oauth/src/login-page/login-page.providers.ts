import { HostedLogin } from './hosted-login';
import { DirectoryLoginPageController } from './directory-login-page.controller';
import { LoginPageController } from './login-page.controller';

export const LOGIN_PAGE_CONTROLLERS = [LoginPageController, DirectoryLoginPageController];
export const LOGIN_PAGE_PROVIDERS = [HostedLogin];
