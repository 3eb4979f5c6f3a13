import { HostedLogin } from './hosted-login';
import { HostedPageErrors } from './hosted-page-route';
import { HtmlErrorFilter } from './html-error.filter';
import { LoginPageController } from './login-page.controller';

export const LOGIN_PAGE_CONTROLLERS = [LoginPageController];
export const LOGIN_PAGE_PROVIDERS = [HostedLogin, HostedPageErrors, HtmlErrorFilter];
