import { redirectToClient } from './complete-interaction';

const ISS = 'https://id.example.com/v1/t/acme';

describe('redirectToClient', () => {
  it('adds the response parameters and iss to a redirect URI without a query', () => {
    expect(redirectToClient('https://app.example.com/cb', ISS, { code: 'c1', state: 's 1' })).toBe(`https://app.example.com/cb?code=c1&state=s+1&iss=${encodeURIComponent(ISS)}`);
  });

  it('keeps the registered query exactly as written (RFC 6749 §3.1.2), and before ours', () => {
    const url = redirectToClient('https://app.example.com/cb?x=1;y=2&flag&q=a%20b&plus=a+b', ISS, { code: 'c1' });
    expect(url.startsWith('https://app.example.com/cb?x=1;y=2&flag&q=a%20b&plus=a+b&code=c1&iss=')).toBe(true);
  });

  it('never leaves a registered parameter of the same name as one of ours: the app reads ours once', () => {
    const url = new URL(redirectToClient('https://app.example.com/cb?state=fixed&st%61te=encoded&iss=x&keep=1', ISS, { code: 'c1', state: 'real' }));
    expect(url.searchParams.getAll('state')).toEqual(['real']);
    expect(url.searchParams.getAll('iss')).toEqual([ISS]);
    expect(url.searchParams.get('keep')).toBe('1');
  });

  it('leaves out parameters without a value, and keeps the fragment-free path and port', () => {
    expect(redirectToClient('http://127.0.0.1:8080/cb', ISS, { error: 'access_denied', error_description: undefined, state: undefined })).toBe(
      `http://127.0.0.1:8080/cb?error=access_denied&iss=${encodeURIComponent(ISS)}`,
    );
  });
});
