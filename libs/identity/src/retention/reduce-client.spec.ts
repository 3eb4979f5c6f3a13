import { reduceLocation, reduceUserAgent, UserAgentReducer } from './reduce-client';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const CHROME = (v: number) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;

describe('client reduction', () => {
  it('keeps browser and device family only', () => {
    expect(reduceUserAgent(IPHONE)).toBe('Mobile Safari (mobile)');
    expect(reduceUserAgent(CHROME(124))).toBe('Chrome (desktop)');
    expect(reduceUserAgent(null)).toBeNull();
    expect(reduceLocation('Berlin, DE')).toBe('DE');
  });

  it('answers the same from memory, also after more distinct strings than it remembers', () => {
    const reducer = new UserAgentReducer();
    for (let v = 0; v < 12_000; v++) expect(reducer.reduce(CHROME(v))).toBe('Chrome (desktop)');
    expect(reducer.reduce(IPHONE)).toBe('Mobile Safari (mobile)');
    expect(reducer.reduce(IPHONE)).toBe('Mobile Safari (mobile)');
    expect((reducer as unknown as { cache: Map<string, unknown> }).cache.size).toBeLessThanOrEqual(10_000);
  });
});
