// Service tag sets of scenarios: `builtin` or a ServiceTags_Public JSON file, loaded once per path and cached.

import { readFileSync } from 'node:fs';
import { builtinServiceTags, loadServiceTags, ServiceTagError, type ServiceTagSet } from '@vnetsim/core';

const cache = new Map<string, ServiceTagSet>();

/** The built-in sample set. */
export function builtinTags(): ServiceTagSet {
  return builtinServiceTags();
}

/** Loads a tags file (absolute path), cached by path. Throws Error with a readable message when it cannot. */
export function tagsFromFile(absPath: string): ServiceTagSet {
  const hit = cache.get(absPath);
  if (hit !== undefined) return hit;
  let text: string;
  try {
    text = readFileSync(absPath, 'utf8');
  } catch (e) {
    throw new Error(`cannot read service tags file ${absPath} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`service tags file ${absPath} is not JSON: ${(e as Error).message}`);
  }
  try {
    const set = loadServiceTags(json, absPath);
    cache.set(absPath, set);
    return set;
  } catch (e) {
    if (e instanceof ServiceTagError) throw new Error(`service tags file ${absPath}: ${e.message}`);
    throw e;
  }
}
