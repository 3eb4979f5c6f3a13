/**
 * A real directory for the LDAP tests and benchmark: Debian's slapd (scripts/install-slapd.sh)
 * started as a child process on two free loopback ports (ldap:// with StartTLS, and ldaps://), with
 * a throwaway slapd.conf, an mdb database in a temp dir, the ppolicy overlay (locked accounts), the
 * memberof overlay (memberOf on users), and a CA plus server certificate generated here with
 * openssl. A second, unrelated CA lets a test present the wrong one. Killed and removed by stop().
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SLAPD = '/usr/sbin/slapd';
export const SUFFIX = 'dc=example,dc=test';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const GROUPS = `ou=groups,${SUFFIX}`;
export const SERVICE_DN = `cn=credence,ou=services,${SUFFIX}`;
export const SERVICE_PASSWORD = 'service-account-secret';
const ROOT_DN = `cn=admin,${SUFFIX}`;
const ROOT_PASSWORD = 'root-secret';

/** Two attribute types of Active Directory (with AD's own OIDs), so an entry can look like an AD user. */
const AD_SCHEMA = `attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID' EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.99999.1.1 NAME 'credenceAdUser' SUP top AUXILIARY MAY ( userAccountControl $ objectGUID ) )
`;

export interface DirectoryUser {
  uid: string;
  password: string;
  mail?: string;
  givenName?: string;
  sn?: string;
  /** Active Directory's userAccountControl (514 = disabled). */
  userAccountControl?: number;
  /** 16 bytes: the entry looks like an AD user with this objectGUID. */
  objectGuid?: Buffer;
  /** Where the entry goes (default ou=people). */
  base?: string;
}

export interface Slapd {
  /** ldap://127.0.0.1:port (StartTLS offered). */
  ldapUrl: string;
  /** ldaps://127.0.0.1:port */
  ldapsUrl: string;
  /** The CA that signed the server certificate (PEM), and one that did not. */
  caPem: string;
  wrongCaPem: string;
  addUser(user: DirectoryUser): Promise<string>;
  /** A new organizational unit under the suffix; returns its DN. */
  addOu(ou: string): Promise<string>;
  addGroup(cn: string, memberDns: string[]): Promise<string>;
  /** Locks the account as ppolicy does after too many failures (pwdAccountLockedTime). */
  lock(dn: string, time?: string): Promise<void>;
  /** Runs LDIF through ldapmodify as the directory's root. */
  modify(ldif: string): Promise<void>;
  /** Adds the LDIF's entries with ldapadd as the directory's root. */
  add(ldif: string): Promise<void>;
  /**
   * How many operations of each kind (bind, search, extended, unbind...) the server has started,
   * from its monitor database. Reading them is itself one bind and one search.
   */
  operations(): Promise<Record<string, number>>;
  /** SIGSTOP / SIGCONT: the server keeps its sockets and answers nothing. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export function slapdInstalled(): boolean {
  try {
    execFileSync(SLAPD, ['-VV'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // slapd -VV exits non-zero on some builds while printing its version; only ENOENT means absent.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const run = (cmd: string, args: string[], input?: string) =>
  new Promise<string>((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 15_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin!.end(input);
  });

/** A CA and a server certificate for 127.0.0.1 only (so a check against the wrong name fails), and an unrelated CA. */
function certificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'wrong-ca']) {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=Credence test ${ca}`,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.pem`,
    );
  }
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem');
}

function config(dir: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include ${dir}/ad.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
moduleload memberof
pidfile ${dir}/slapd.pid
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key
database mdb
suffix "${SUFFIX}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PASSWORD}
directory ${dir}/db
maxsize 67108864
overlay memberof
memberof-refint true
overlay ppolicy
ppolicy_default "cn=default,ou=policies,${SUFFIX}"
limits dn.exact="${SERVICE_DN}" size.soft=500 size.prtotal=unlimited
access to attrs=userPassword by self =xw by anonymous auth by * none
access to * by users read by * none
database monitor
access to * by dn.exact="${ROOT_DN}" read by * none
`;
}

const SEED = `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: ou=services,${SUFFIX}
objectClass: organizationalUnit
ou: services

dn: ou=policies,${SUFFIX}
objectClass: organizationalUnit
ou: policies

dn: cn=default,ou=policies,${SUFFIX}
objectClass: organizationalRole
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdLockout: TRUE
pwdMaxFailure: 50

dn: ${SERVICE_DN}
objectClass: person
cn: credence
sn: service
userPassword: ${SERVICE_PASSWORD}
`;

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface SlapdOptions {
  /**
   * LDIF loaded with slapadd before the server starts (fast: 10,000 entries in about a second), after the
   * seed entries. Entries may carry operational attributes such as modifyTimestamp, which slapadd keeps.
   * The memberof overlay does not run under slapadd: preloaded users have no memberOf.
   */
  preload?: string;
}

/**
 * Starts slapd on two free ports. A port that was free when asked can be taken before slapd binds it
 * (another test's server, or the local end of an outbound connection); slapd then exits at once,
 * saying nothing at -d 0, and is started again on other ports.
 */
async function listen(dir: string): Promise<{ proc: ChildProcess; ldapUrl: string; ldapsUrl: string }> {
  for (let attempt = 1; ; attempt += 1) {
    const [port, tlsPort] = [await freePort(), await freePort()];
    const ldapUrl = `ldap://127.0.0.1:${port}`;
    const ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
    // -d 0: stay in the foreground (a child we can kill), logging nothing.
    const proc: ChildProcess = spawn(SLAPD, ['-d', '0', '-f', join(dir, 'slapd.conf'), '-h', `${ldapUrl}/ ${ldapsUrl}/`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Ours, not someone else's listener on the port: slapd writes its pid file once its listeners are open.
    const ready = async () => readPid(join(dir, 'slapd.pid')) === proc.pid && (await answers(port));
    const deadline = Date.now() + 20_000;
    while (!(await ready())) {
      if (proc.exitCode !== null && attempt < 5) break;
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`slapd did not start (exit ${proc.exitCode}, attempt ${attempt}): ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    if (proc.exitCode === null) return { proc, ldapUrl, ldapsUrl };
  }
}

function readPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined; // not written yet
  }
}

export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  if (!slapdInstalled()) throw new Error(`${SLAPD} is missing: install it with bash scripts/install-slapd.sh (.ci/run does)`);
  const dir = mkdtempSync(join(tmpdir(), 'credence-slapd-'));
  execFileSync('mkdir', ['-p', join(dir, 'db')]);
  certificates(dir);
  writeFileSync(join(dir, 'ad.schema'), AD_SCHEMA);
  writeFileSync(join(dir, 'slapd.conf'), config(dir));
  if (options.preload !== undefined) {
    writeFileSync(join(dir, 'preload.ldif'), `${SEED}\n${options.preload}`);
    execFileSync('/usr/sbin/slapadd', ['-q', '-f', join(dir, 'slapd.conf'), '-l', join(dir, 'preload.ldif')], { stdio: 'pipe' });
  }
  const { proc, ldapUrl, ldapsUrl } = await listen(dir);
  const asRoot = ['-x', '-H', ldapUrl, '-D', ROOT_DN, '-w', ROOT_PASSWORD];
  const add = (ldif: string) => run('ldapadd', asRoot, ldif);
  const modify = async (ldif: string) => void (await run('ldapmodify', asRoot, ldif));
  if (options.preload === undefined) await add(SEED);

  return {
    ldapUrl,
    ldapsUrl,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    wrongCaPem: readFileSync(join(dir, 'wrong-ca.pem'), 'utf8'),
    async addUser(u) {
      const dn = `uid=${u.uid},${u.base ?? PEOPLE}`;
      const ad = u.userAccountControl !== undefined || u.objectGuid !== undefined;
      const lines = [
        `dn: ${dn}`,
        'objectClass: inetOrgPerson',
        ...(ad ? ['objectClass: credenceAdUser'] : []),
        `uid: ${u.uid}`,
        `cn: ${u.givenName ?? u.uid} ${u.sn ?? ''}`.trim(),
        `sn: ${u.sn ?? u.uid}`,
        ...(u.givenName ? [`givenName: ${u.givenName}`] : []),
        ...(u.mail ? [`mail: ${u.mail}`] : []),
        `userPassword: ${u.password}`,
        ...(u.userAccountControl !== undefined ? [`userAccountControl: ${u.userAccountControl}`] : []),
        ...(u.objectGuid ? [`objectGUID:: ${u.objectGuid.toString('base64')}`] : []),
      ];
      await add(`${lines.join('\n')}\n`);
      return dn;
    },
    async addOu(ou) {
      const dn = `ou=${ou},${SUFFIX}`;
      await add(`dn: ${dn}\nobjectClass: organizationalUnit\nou: ${ou}\n`);
      return dn;
    },
    async addGroup(cn, members) {
      const dn = `cn=${cn},${GROUPS}`;
      await add(`dn: ${dn}\nobjectClass: groupOfNames\ncn: ${cn}\n${members.map((m) => `member: ${m}`).join('\n')}\n`);
      return dn;
    },
    lock: (dn, time = '000001010000Z') => modify(`dn: ${dn}\nchangetype: modify\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: ${time}\n`),
    modify,
    add: async (ldif) => void (await add(ldif)),
    async operations() {
      const ldif = await run('ldapsearch', [...asRoot, '-LLL', '-b', 'cn=Operations,cn=Monitor', '-s', 'one', '(objectClass=*)', 'monitorOpInitiated']);
      const counts: Record<string, number> = {};
      for (const [, kind, n] of ldif.matchAll(/^dn: cn=(\w+),cn=Operations,cn=Monitor\nmonitorOpInitiated: (\d+)$/gm)) counts[kind.toLowerCase()] = Number(n);
      return counts;
    },
    pause: () => void proc.kill('SIGSTOP'),
    resume: () => void proc.kill('SIGCONT'),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGCONT');
        await new Promise<void>((resolve) => {
          proc.once('exit', () => resolve());
          proc.kill('SIGKILL');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `ldap` fields of a connection to this slapd (StartTLS with its CA, the service account, uid sign-in), with overrides. */
export function connectionLdapSettings(slapd: Pick<Slapd, 'ldapUrl' | 'caPem'>, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: slapd.ldapUrl,
    start_tls: true,
    ca_certificate: slapd.caPem,
    bind_dn: SERVICE_DN,
    bind_password: SERVICE_PASSWORD,
    user_search_base: PEOPLE,
    user_search_filter: '(uid={{username}})',
    group_search_base: GROUPS,
    timeout_ms: 3000,
    ...over,
  };
}
