import { ConfigError, parseConfig } from './config.schema';

describe('service URLs', () => {
  it.each([
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['DATABASE_URL', 'mysql://localhost/credence'],
  ])('refuses %s=%s for its scheme', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
    try {
      parseConfig({ [name]: value });
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toContain(name);
    }
  });

  it.each([
    ['REDIS_URL', 'rediss://user:pw@cache.example:6380/2'],
    ['DATABASE_URL', 'postgresql://u:p@db.example:5432/credence'],
  ])('accepts %s=%s', (name, value) => {
    expect(parseConfig({ [name]: value })).toMatchObject({ [name]: value });
  });
});
