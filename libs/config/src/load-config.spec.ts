import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DATABASE_URL } from './app-config';
import { ConfigError } from './config.schema';
import { loadConfig } from './load-config';

const KEK = Buffer.alloc(32, 9).toString('base64');
const ADMIN_KEY = 'crd_admin_key_given_by_the_operator_0123456789';
const mode = (path: string) => statSync(path).mode & 0o777;

describe('loadConfig', () => {
  let root: string;
  let dataDir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'credence-load-config-'));
    dataDir = join(root, 'data'); // does not exist yet
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe('without CREDENCE_ADMIN_KEY', () => {
    it('generates the admin key once, in a 0600 file inside a 0700 folder, and tells the operator', () => {
      const { config, notices } = loadConfig({ CREDENCE_DATA_DIR: dataDir });
      const file = join(dataDir, 'admin-key');
      expect(existsSync(file)).toBe(true);
      expect(mode(file)).toBe(0o600);
      expect(mode(dataDir)).toBe(0o700);
      const stored = readFileSync(file, 'utf8');
      expect(stored).toMatch(/^crd_admin_[A-Za-z0-9_-]{43}\n$/);
      expect(config.CREDENCE_ADMIN_KEY).toBe(stored.trim());
      expect(notices).toHaveLength(1);
      expect(notices[0]).toContain('Generated');
      expect(notices[0]).toContain(file);
      expect(notices[0]).toContain(config.CREDENCE_ADMIN_KEY);
    });

    it('reuses the same key on the next call, without rewriting the file', () => {
      const first = loadConfig({ CREDENCE_DATA_DIR: dataDir });
      const file = join(dataDir, 'admin-key');
      const before = statSync(file);
      const second = loadConfig({ CREDENCE_DATA_DIR: dataDir });
      expect(second.config.CREDENCE_ADMIN_KEY).toBe(first.config.CREDENCE_ADMIN_KEY);
      expect(second.notices[0]).toMatch(/^Using the/);
      expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
      expect(statSync(file).ino).toBe(before.ino);
      expect(readdirSync(dataDir).sort()).toEqual(['admin-key', 'key-encryption-key']);
    });

    it('makes a different key for a different data folder', () => {
      const a = loadConfig({ CREDENCE_DATA_DIR: dataDir }).config.CREDENCE_ADMIN_KEY;
      const b = loadConfig({ CREDENCE_DATA_DIR: join(root, 'other') }).config.CREDENCE_ADMIN_KEY;
      expect(a).not.toBe(b);
    });

    it('uses a key already in the file, trimmed', () => {
      const file = join(dataDir, 'admin-key');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, `  ${ADMIN_KEY}\n\n`, { mode: 0o600 });
      const { config, notices } = loadConfig({ CREDENCE_DATA_DIR: dataDir, CREDENCE_KEY_ENCRYPTION_KEY: KEK });
      expect(config.CREDENCE_ADMIN_KEY).toBe(ADMIN_KEY);
      expect(notices[0]).toMatch(/^Using the/);
    });
  });

  describe('the key-encryption key', () => {
    it('is generated once (32 bytes, 0600) and reused when CREDENCE_KEY_ENCRYPTION_KEY is not set', () => {
      const first = loadConfig({ CREDENCE_DATA_DIR: dataDir, CREDENCE_ADMIN_KEY: ADMIN_KEY });
      const file = join(dataDir, 'key-encryption-key');
      expect(mode(file)).toBe(0o600);
      expect(Buffer.from(first.config.CREDENCE_KEY_ENCRYPTION_KEY, 'base64')).toHaveLength(32);
      expect(readFileSync(file, 'utf8').trim()).toBe(first.config.CREDENCE_KEY_ENCRYPTION_KEY);
      const second = loadConfig({ CREDENCE_DATA_DIR: dataDir, CREDENCE_ADMIN_KEY: ADMIN_KEY });
      expect(second.config.CREDENCE_KEY_ENCRYPTION_KEY).toBe(first.config.CREDENCE_KEY_ENCRYPTION_KEY);
    });

    it('comes from the environment when set', () => {
      expect(loadConfig({ CREDENCE_DATA_DIR: dataDir, CREDENCE_KEY_ENCRYPTION_KEY: KEK }).config.CREDENCE_KEY_ENCRYPTION_KEY).toBe(KEK);
      expect(existsSync(join(dataDir, 'key-encryption-key'))).toBe(false);
    });
  });

  describe('with CREDENCE_ADMIN_KEY', () => {
    it('uses it, writes no admin key file and has nothing to tell', () => {
      const { config, notices } = loadConfig({ CREDENCE_DATA_DIR: dataDir, CREDENCE_ADMIN_KEY: ADMIN_KEY });
      expect(config.CREDENCE_ADMIN_KEY).toBe(ADMIN_KEY);
      expect(notices).toEqual([]);
      expect(existsSync(join(dataDir, 'admin-key'))).toBe(false);
    });

    it('touches the data folder not at all when both secrets are given', () => {
      loadConfig({ CREDENCE_DATA_DIR: dataDir, CREDENCE_ADMIN_KEY: ADMIN_KEY, CREDENCE_KEY_ENCRYPTION_KEY: KEK });
      expect(existsSync(dataDir)).toBe(false);
    });

    it('wins over a key left in the data folder', () => {
      loadConfig({ CREDENCE_DATA_DIR: dataDir });
      const generated = readFileSync(join(dataDir, 'admin-key'), 'utf8').trim();
      const { config } = loadConfig({ CREDENCE_DATA_DIR: dataDir, CREDENCE_ADMIN_KEY: ADMIN_KEY });
      expect(config.CREDENCE_ADMIN_KEY).toBe(ADMIN_KEY);
      expect(config.CREDENCE_ADMIN_KEY).not.toBe(generated);
    });
  });

  it('resolves the database URL and the base URL', () => {
    const env = { CREDENCE_DATA_DIR: dataDir, CREDENCE_ADMIN_KEY: ADMIN_KEY, CREDENCE_KEY_ENCRYPTION_KEY: KEK };
    expect(loadConfig({ ...env, PORT: '4000' }).config).toMatchObject({ DATABASE_URL: DEFAULT_DATABASE_URL, CREDENCE_BASE_URL: 'http://localhost:4000' });
    expect(loadConfig({ ...env, CREDENCE_BASE_URL: 'https://id.example.com//' }).config.CREDENCE_BASE_URL).toBe('https://id.example.com');
    expect(loadConfig({ ...env, DATABASE_URL: 'postgres://u@h/d' }).config.DATABASE_URL).toBe('postgres://u@h/d');
  });

  it('writes nothing when the configuration is invalid', () => {
    expect(() => loadConfig({ CREDENCE_DATA_DIR: dataDir, PORT: 'abc' })).toThrow(ConfigError);
    expect(existsSync(dataDir)).toBe(false);
  });
});
