/** A connection's group → role rule (`connections.group_role_mapping`). */
export interface GroupRoleRule {
  group: string;
  role: string;
}

/** Splits a DN at its unescaped commas (`CN=Smith\, John,OU=People` has two RDNs). */
function rdnsOf(dn: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i += 1) {
    const ch = dn[i];
    if (ch === '\\' && i + 1 < dn.length) {
      current += ch + dn[i + 1];
      i += 1;
    } else if (ch === ',') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

const unescapeDnValue = (value: string) => value.replace(/\\(.)/g, '$1');

/** `cn = Admins , ou=Groups` and `CN=Admins,OU=Groups` compare equal; a plain name is just lower-cased. */
function normalise(name: string): string {
  const trimmed = name.trim().toLowerCase();
  if (!looksLikeDn(trimmed)) return trimmed;
  return rdnsOf(trimmed)
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      return `${rdn.slice(0, eq).trim()}=${rdn.slice(eq + 1).trim()}`;
    })
    .join(',');
}

const looksLikeDn = (name: string) => rdnsOf(name).every((rdn) => /^[a-z][a-z0-9-]*\s*=/i.test(rdn) || /^\d+(\.\d+)+\s*=/.test(rdn));

/** The names a group answers to: itself and, for an LDAP DN whose first RDN is a CN, that CN. */
function namesOf(group: string): string[] {
  const full = normalise(group);
  if (!looksLikeDn(full)) return [full];
  const [first] = rdnsOf(full);
  const eq = first.indexOf('=');
  if (first.slice(0, eq).trim() !== 'cn') return [full];
  return [full, unescapeDnValue(first.slice(eq + 1).trim())];
}

/**
 * The role names the rules grant for these groups: a rule matches a group by name, case-insensitively;
 * an LDAP DN also matches a rule naming its CN (`CN=Admins,OU=Groups,DC=acme` matches `admins`).
 */
export function rolesForGroups(rules: readonly GroupRoleRule[], groups: readonly string[]): string[] {
  const names = new Set(groups.flatMap(namesOf));
  const roles = rules.filter((rule) => typeof rule?.group === 'string' && typeof rule.role === 'string' && names.has(normalise(rule.group))).map((rule) => rule.role);
  return [...new Set(roles)];
}
