import { clientInfo } from './client-info';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const IPAD = 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('clientInfo', () => {
  it('records the parsed device type, desktop when the agent names none, other without an agent, the same on a repeat (remembered)', () => {
    for (let i = 0; i < 2; i += 1) {
      expect(clientInfo({ ip: '203.0.113.9', headers: { 'user-agent': IPHONE } })).toEqual({ ip: '203.0.113.9', userAgent: IPHONE, deviceType: 'mobile', location: null });
      expect(clientInfo({ headers: { 'user-agent': IPAD } }).deviceType).toBe('tablet');
      expect(clientInfo({ headers: { 'user-agent': FIREFOX } }).deviceType).toBe('desktop');
    }
    expect(clientInfo({ headers: {} })).toEqual({ ip: null, userAgent: null, deviceType: 'other', location: null });
  });

  it('lets a known stated device type win, ignores an unknown one, and cuts the agent and location', () => {
    expect(clientInfo({ headers: { 'user-agent': FIREFOX } }, { deviceType: 'mobile', location: 'x'.repeat(200) })).toMatchObject({
      deviceType: 'mobile',
      location: 'x'.repeat(120),
    });
    expect(clientInfo({ headers: { 'user-agent': IPHONE } }, { deviceType: 'toaster' }).deviceType).toBe('mobile');
    expect(clientInfo({ headers: { 'user-agent': 'a'.repeat(600) } }).userAgent).toHaveLength(512);
  });
});
