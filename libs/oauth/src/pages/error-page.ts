import { html } from './html';
import { layout, PageFrame } from './layout';

/**
 * An error the browser sees instead of a redirect: the request cannot be answered to the app (unknown
 * client or redirect_uri, expired interaction). Says what happened and what to do, never more.
 */
export function errorPage(frame: Omit<PageFrame, 'title'>, message: string, code?: string): string {
  return layout(
    { ...frame, title: 'Sign-in cannot continue' },
    html`<p class="error" role="alert">${message}</p>
      ${code ? html`<p class="hint">Error code: <code>${code}</code></p>` : ''}
      <p class="hint">Go back to the application and start signing in again.</p>`,
  );
}
