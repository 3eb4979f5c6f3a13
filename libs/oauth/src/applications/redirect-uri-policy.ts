import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { ApplicationType, redirectUriDetails, redirectUriProblem } from './redirect-uris';

/** The redirect URI rules with this deployment's setting: http on loopback only outside production. */
@Injectable()
export class RedirectUriPolicy {
  private readonly production: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.production = config.NODE_ENV === 'production';
  }

  /** Throws validation.failed naming every bad URI; a public app needs at least one redirect URI. */
  assertValid(type: ApplicationType, lists: { redirect_uris?: readonly string[]; post_logout_redirect_uris?: readonly string[] }, initiateLoginUri?: string | null): void {
    const rules = { type, production: this.production };
    const details = Object.entries(lists).flatMap(([field, uris]) => (uris ? redirectUriDetails(field, uris, rules) : []));
    if (initiateLoginUri) {
      // A web page of the app (OIDC Core §4: https); never a native app's private-use scheme.
      const problem = redirectUriProblem(initiateLoginUri, { type: 'confidential', production: this.production });
      if (problem) details.push({ field: 'initiate_login_uri', issue: `initiate_login_uri ${problem}` });
    }
    if (type === 'public' && lists.redirect_uris?.length === 0) {
      details.push({ field: 'redirect_uris', issue: 'a public application needs at least one redirect URI' });
    }
    if (details.length) throw new DomainError('validation.failed', undefined, details);
  }
}
