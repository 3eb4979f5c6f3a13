import { redirectUriDetails, redirectUriProblem, RedirectUriRules } from './redirect-uris';

const confidential: RedirectUriRules = { type: 'confidential', production: false };
const publicApp: RedirectUriRules = { type: 'public', production: false };
const production: RedirectUriRules = { type: 'confidential', production: true };

describe('redirect URI rules', () => {
  it.each([
    'https://app.example.com/callback',
    'https://app.example.com/cb?tenant=acme',
    'https://app.example.com:8443/cb',
    'https://xn--bcher-kva.example/cb',
    'http://127.0.0.1:8080/cb',
    'http://[::1]:8080/cb',
    'http://localhost:3000/cb',
  ])('accepts %s outside production', (uri) => {
    expect(redirectUriProblem(uri, confidential)).toBeNull();
  });

  it.each([
    ['https://*.example.com/cb', /wildcard/],
    ['https://app.example.com/*', /wildcard/],
    ['https://app.example.com/cb#frag', /fragment/],
    ['https://app.example.com/cb#', /fragment/],
    ['/callback', /absolute/],
    ['app.example.com/cb', /absolute/],
    ['http://app.example.com/cb', /https/],
    ['http://10.0.0.1/cb', /https/],
    ['javascript:alert(1)', /must use https/],
    ['data:text/html,<script>alert(1)</script>', /must use https/],
    ['file:///etc/passwd', /must use https/],
    ['https://app.example.com', /normal form: https:\/\/app\.example\.com\//],
    ['HTTPS://app.example.com/cb', /normal form/],
    ['https://app.example.com:443/cb', /normal form: https:\/\/app\.example\.com\/cb/],
    ['http://127.1/cb', /normal form: http:\/\/127\.0\.0\.1\/cb/],
    ['https:///cb', /normal form/],
    ['https://app.example.com/a/../cb', /normal form/],
    ['https://user:pw@app.example.com/cb', /user name or password/],
    ['https://app.example.com/c b', /ASCII/],
    ['https://app.example.com/c\tb', /ASCII/],
    ['https://bücher.example/cb', /ASCII/],
    [`https://app.example.com/${'a'.repeat(2000)}`, /at most 2000/],
  ])('refuses %s', (uri, issue) => {
    expect(redirectUriProblem(uri, publicApp)).toMatch(issue);
  });

  it('allows http on loopback only outside production', () => {
    expect(redirectUriProblem('http://localhost:3000/cb', production)).toMatch(/https in production/);
    expect(redirectUriProblem('http://127.0.0.1/cb', production)).toMatch(/https in production/);
    expect(redirectUriProblem('https://app.example.com/cb', production)).toBeNull();
  });

  it('allows a private-use (reverse domain) scheme for public apps only (RFC 8252 §7.1)', () => {
    expect(redirectUriProblem('com.example.app:/oauth2redirect', publicApp)).toBeNull();
    expect(redirectUriProblem('com.example.app:/oauth2redirect', { type: 'public', production: true })).toBeNull();
    expect(redirectUriProblem('com.example.app:/oauth2redirect', confidential)).toMatch(/native \(public\)/);
    // No dot: not a reverse domain name, so not a private-use scheme (this is what keeps javascript: out).
    expect(redirectUriProblem('myapp:/cb', publicApp)).toMatch(/must use https/);
  });

  it('names each bad entry by index, duplicates included', () => {
    const details = redirectUriDetails('redirect_uris', ['https://a.example/cb', 'https://a.example/cb', 'http://a.example/cb'], confidential);
    expect(details).toEqual([
      { field: 'redirect_uris[1]', issue: 'redirect_uris[1] is listed twice' },
      { field: 'redirect_uris[2]', issue: expect.stringMatching(/must use https/) },
    ]);
    expect(redirectUriDetails('redirect_uris', ['https://a.example/cb', 'https://a.example/cb2'], confidential)).toEqual([]);
  });
});
