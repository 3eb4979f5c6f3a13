import type { LoginConnection } from '../federation/federated-login';
import { html, SafeHtml } from '../pages/html';
import { layout, PageFrame } from '../pages/layout';

export type Frame = Omit<PageFrame, 'title'>;

/** What every form of the page carries: the interaction it belongs to and its CSRF token. */
export interface FormKeys {
  interactionId: string;
  csrf: string;
}

const ERROR_ID = 'form-error';

const base = (frame: Frame) => `/v1/t/${frame.tenantSlug}/login`;

function hidden(keys: FormKeys): SafeHtml {
  return html`<input type="hidden" name="interaction" value="${keys.interactionId}" /> <input type="hidden" name="csrf" value="${keys.csrf}" />`;
}

/** The message of a refused attempt: announced by screen readers, and named by the inputs it concerns. */
function errorBox(error: string | undefined): SafeHtml {
  return error ? html`<p class="error" id="${ERROR_ID}" role="alert">${error}</p>` : html``;
}

/**
 * aria attributes an input gets while the form shows an error. The first input it names also takes the
 * focus (`autofocus`: the pages have no script), so after a refused attempt the keyboard is in the form
 * again and a screen reader reads the message with the field.
 */
function described(error: string | undefined, first = false): SafeHtml {
  if (!error) return html``;
  return first ? html`aria-describedby="${ERROR_ID}" aria-invalid="true" autofocus` : html`aria-describedby="${ERROR_ID}" aria-invalid="true"`;
}

export interface SignInView {
  frame: Frame;
  keys: FormKeys;
  /** Pre-filled: login_hint, or what the user typed before. */
  email?: string;
  error?: string;
  connections: readonly LoginConnection[];
}

/**
 * The sign-in page: one form with the e-mail, the password and two buttons (sign in; e-mail me a
 * code, which posts the same form to /login/code without needing the password), then one button
 * per connection the app may use.
 */
export function signInPage(view: SignInView): string {
  const action = base(view.frame);
  const connections = view.connections.length
    ? html`<p class="divider">or</p>
        <form method="post" action="${action}/connection" class="connections">
          ${hidden(view.keys)} ${view.connections.map((c) => html`<button type="submit" class="secondary" name="connection" value="${c.id}">Continue with ${c.name}</button>`)}
        </form>`
    : '';
  return layout(
    { ...view.frame, title: 'Sign in', refused: !!view.error },
    html`${errorBox(view.error)}
      <form method="post" action="${action}/password">
        ${hidden(view.keys)}
        <div class="field">
          <label for="email">E-mail</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            autocapitalize="none"
            spellcheck="false"
            maxlength="254"
            required
            value="${view.email ?? ''}"
            ${described(view.error, true)}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            maxlength="256"
            ${view.connections.length ? '' : html`required`}
            ${described(view.error)}
          />
        </div>
        <button type="submit">Sign in</button>
        <button type="submit" class="secondary" formaction="${action}/code" formnovalidate>E-mail me a code instead</button>
      </form>
      ${connections}`,
  );
}

export interface CodeView {
  frame: Frame;
  keys: FormKeys;
  email: string;
  error?: string;
}

/** After "e-mail me a code": the code field. Says the same whether or not the address has an account. */
export function codePage(view: CodeView): string {
  const action = base(view.frame);
  return layout(
    { ...view.frame, title: 'Enter your code', refused: !!view.error },
    html`${errorBox(view.error)}
      <p class="notice">If <strong>${view.email}</strong> belongs to an account, a six-digit code is on its way there. It is valid for five minutes.</p>
      <form method="post" action="${action}/code/verify">
        ${hidden(view.keys)}
        <input type="hidden" name="email" value="${view.email}" />
        <div class="field">
          <label for="code">Code</label>
          <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required ${described(view.error, true)} />
        </div>
        <button type="submit">Sign in</button>
        <button type="submit" class="secondary" formaction="${action}/code" formnovalidate>Send a new code</button>
      </form>
      <p class="hint"><a href="${action}?interaction=${encodeURIComponent(view.keys.interactionId)}">Sign in another way</a></p>`,
  );
}

export interface DirectoryView {
  frame: Frame;
  keys: FormKeys;
  /** The directory (LDAP) connection the password goes to. */
  connection: Pick<LoginConnection, 'id' | 'name'>;
  /** Pre-filled: the e-mail typed on the first page, or the username typed before. */
  username?: string;
  error?: string;
}

/**
 * A directory connection's sign-in (LDAP, Active Directory): the directory's username and password,
 * posted to /login/ldap, which sends the password to the directory's bind and nowhere else.
 */
export function directoryPage(view: DirectoryView): string {
  const action = base(view.frame);
  return layout(
    { ...view.frame, title: `Sign in with ${view.connection.name}`, refused: !!view.error },
    html`${errorBox(view.error)}
      <form method="post" action="${action}/ldap">
        ${hidden(view.keys)}
        <input type="hidden" name="connection" value="${view.connection.id}" />
        <div class="field">
          <label for="username">Username</label>
          <input
            id="username"
            name="username"
            type="text"
            autocomplete="username"
            autocapitalize="none"
            spellcheck="false"
            maxlength="254"
            required
            value="${view.username ?? ''}"
            ${described(view.error, true)}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" maxlength="256" required ${described(view.error)} />
        </div>
        <p class="hint">Your password goes to ${view.connection.name} only.</p>
        <button type="submit">Sign in</button>
      </form>
      <p class="hint"><a href="${action}?interaction=${encodeURIComponent(view.keys.interactionId)}">Sign in another way</a></p>`,
  );
}
