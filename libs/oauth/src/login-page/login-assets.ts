import { createHash } from 'node:crypto';

/**
 * The hosted pages' stylesheet: one card, system fonts, large targets, visible focus, WCAG AA
 * contrast in both colour schemes. The accent comes from theme.css (`--brand` and the text on it,
 * `--on-brand`), per tenant; the focus outline is in the text colour, so no accent can hide it.
 */
export const LOGIN_CSS = `:root {
  --brand: #1a56db;
  --on-brand: #ffffff;
  --text: #1f2328;
  --muted: #57606a;
  --bg: #f3f4f6;
  --card: #ffffff;
  --border: #8c959f;
  --error: #b42318;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root { --text: #e6edf3; --muted: #9da7b3; --bg: #0d1117; --card: #161b22; --border: #6e7681; --error: #ff8182; }
}
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
  padding: 1rem; background: var(--bg); color: var(--text); overflow-wrap: anywhere;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5;
}
.card {
  width: 100%; max-width: 26rem; background: var(--card); border: 1px solid var(--border);
  border-radius: 0.75rem; padding: 2rem 1.5rem;
}
@media (max-width: 30rem) { body { padding: 0; align-items: stretch; } .card { border-radius: 0; border: 0; padding: 1.5rem 1rem; } }
header { margin-bottom: 1.5rem; }
.logo { display: block; max-height: 3rem; max-width: 12rem; margin-bottom: 0.75rem; }
.tenant { margin: 0; color: var(--muted); font-weight: 600; }
h1 { margin: 0.25rem 0 0; font-size: 1.5rem; line-height: 1.25; }
h2 { font-size: 1rem; margin: 0 0 0.5rem; }
form { display: grid; gap: 0.75rem; margin: 0; }
label { font-weight: 600; }
.field { display: grid; gap: 0.25rem; }
input {
  font: inherit; width: 100%; padding: 0.625rem 0.75rem; border: 1px solid var(--border);
  border-radius: 0.375rem; background: var(--card); color: var(--text);
}
input[aria-invalid="true"] { border-color: var(--error); }
button {
  font: inherit; font-weight: 600; min-height: 2.75rem; padding: 0.5rem 1rem; border-radius: 0.375rem;
  border: 2px solid var(--brand); background: var(--brand); color: var(--on-brand); cursor: pointer;
}
button.secondary { background: transparent; color: var(--text); border-color: var(--border); }
button:hover { filter: brightness(1.1); }
:focus-visible { outline: 3px solid var(--text); outline-offset: 2px; }
input:focus-visible { outline: 3px solid var(--text); outline-offset: 1px; }
a { color: var(--text); text-decoration: underline; }
.error {
  margin: 0 0 1rem; padding: 0.75rem; border-radius: 0.375rem; border: 1px solid var(--error);
  color: var(--error); font-weight: 600;
}
.notice { margin: 0 0 1rem; }
.hint { color: var(--muted); font-size: 0.875rem; }
.divider { display: flex; align-items: center; gap: 0.75rem; margin: 1.25rem 0; color: var(--muted); }
.divider::before, .divider::after { content: ""; flex: 1; border-top: 1px solid var(--border); }
.connections { display: grid; gap: 0.5rem; }
@media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
`;

/** WCAG 2.1 relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * The tenant's accent. The value was validated as #rrggbb when written; checked again so nothing
 * else can ever reach a stylesheet. The text on it is white or black, whichever contrasts more (at
 * least 4.58:1 for any colour), so a light accent (#ffff00) never makes the buttons unreadable.
 */
export function themeCss(brandColor: string | undefined): string {
  if (!brandColor || !/^#[0-9a-fA-F]{6}$/.test(brandColor)) return '/* default theme */\n';
  const l = luminance(brandColor);
  const onBrand = 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#ffffff' : '#000000';
  return `:root { --brand: ${brandColor}; --on-brand: ${onBrand}; }\n`;
}

/** Names this stylesheet's content in the pages' link to it, so a browser holding an older one (cached as immutable) fetches the new one after a deploy. */
export const LOGIN_CSS_VERSION = createHash('sha256').update(LOGIN_CSS).digest('hex').slice(0, 12);
