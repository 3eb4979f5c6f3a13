import { LOGIN_CSS_VERSION } from '../login-page/login-assets';
import { html, SafeHtml } from './html';

export interface PageFrame {
  tenantSlug: string;
  /** The tenant's display name. */
  tenantName: string;
  title: string;
  /** The page shows a refused attempt: the document title says so first (what a screen reader announces on arrival). */
  refused?: boolean;
  /** A tenant's logo (https URL from its settings), when it has one. */
  logoUrl?: string;
}

/** The document around every hosted page: language, title, the stylesheet and the tenant's theme, a main landmark. */
export function layout(frame: PageFrame, body: SafeHtml): string {
  const base = `/v1/t/${frame.tenantSlug}/login/assets`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${frame.refused ? 'Error: ' : ''}${frame.title} – ${frame.tenantName}</title>
        <link rel="stylesheet" href="${base}/login.css?v=${LOGIN_CSS_VERSION}" />
        <link rel="stylesheet" href="${base}/theme.css" />
      </head>
      <body>
        <main class="card">
          <header>
            ${frame.logoUrl ? html`<img class="logo" src="${frame.logoUrl}" alt="" />` : ''}
            <p class="tenant">${frame.tenantName}</p>
            <h1>${frame.title}</h1>
          </header>
          ${body}
        </main>
      </body>
    </html> `.value;
}
