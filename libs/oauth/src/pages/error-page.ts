import { html } from './html';
import { layout, PageFrame } from './layout';

/** What an error page is titled and what it tells the user to do next. */
export interface ErrorPageWords {
  title: string;
  next: string;
}

const SIGN_IN: ErrorPageWords = { title: 'Sign-in cannot continue', next: 'Go back to the application and start signing in again.' };
/** For the sign-out endpoint's own refusals: the page must not tell a user signing out to sign in. */
export const SIGN_OUT: ErrorPageWords = { title: 'Sign-out cannot continue', next: 'Go back to the application and sign out from there again.' };

/**
 * An error the browser sees instead of a redirect: the request cannot be answered to the app (unknown
 * client or redirect_uri, expired interaction). Says what happened and what to do, never more.
 */
export function errorPage(frame: Omit<PageFrame, 'title'>, message: string, code?: string, words: ErrorPageWords = SIGN_IN): string {
  return layout(
    { ...frame, title: words.title },
    html`<p class="error" role="alert">${message}</p>
      ${code ? html`<p class="hint">Error code: <code>${code}</code></p>` : ''}
      <p class="hint">${words.next}</p>`,
  );
}
