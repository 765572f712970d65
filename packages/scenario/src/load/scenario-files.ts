// Which files `vnetsim run DIR` / `validate DIR` read: every *.yaml (and *.yml) below DIR, in a stable order.

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** A file is returned as is; a directory yields its scenario files, sorted, recursively (hidden and node_modules skipped). */
export function findScenarioFiles(fileOrDir: string): string[] {
  if (!statSync(fileOrDir).isDirectory()) return [fileOrDir];
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(fileOrDir);
  return out;
}
