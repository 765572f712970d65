import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Loads a CommonJS package; returns the module or the reason it failed. */
export function tryRequire(name: string): { mod: unknown; error: string | null; version: string } {
  let version = '?';
  try {
    version = (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    // version is informative only
  }
  try {
    return { mod: require(name), error: null, version };
  } catch (e) {
    return { mod: null, error: `cannot load ${name}: ${(e as Error).message.split('\n')[0]}`, version };
  }
}
