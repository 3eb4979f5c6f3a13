#!/usr/bin/env node
// Builds dist/ when it is missing or older than any TypeScript source, so `npm start` just works.
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const marker = join(root, 'dist', 'apps', 'platform', 'src', 'main.js');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

const sources = ['apps', 'libs', 'migrations', 'bench'].map((d) => join(root, d)).filter(existsSync);
const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
if (!built || Math.max(...sources.map(newest)) > built) {
  process.stderr.write('Building Credence (npm run build)...\n');
  execSync('npm run build --silent', { cwd: root, stdio: 'inherit' });
  // tsc leaves unchanged outputs untouched; mark the build as fresh.
  const now = new Date();
  require('node:fs').utimesSync(marker, now, now);
}
