// Loader for Microsoft's "Azure IP Ranges and Service Tags" JSON (ServiceTags_Public.json), R-NSG-6.
// Strict: every malformed entry is an error with its JSON path and what was expected; nothing is skipped.

import { AddressError } from '../../addr/errors.js';
import { formatIpv4Cidr, parseIpv4Cidr } from '../../addr/ipv4.js';
import { formatIpv6Cidr, parseIpv6Cidr } from '../../addr/ipv6.js';
import { canonicalRegion } from '../regions.js';
import { ServiceTagError } from './errors.js';
import { ServiceTagMap } from './tag-set.js';
import type { ServiceTag, ServiceTagSet } from './types.js';

const describe = (x: unknown): string =>
  x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'string' ? `"${x}"` : typeof x;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function expectString(x: unknown, path: string, what: string): string {
  if (typeof x !== 'string') throw new ServiceTagError(path, `expected ${what} (a string), found ${describe(x)}`);
  return x;
}

/** Optional string: absent or null -> ''. */
function optString(x: unknown, path: string, what: string): string {
  return x === undefined || x === null ? '' : expectString(x, path, what);
}

function optStringArray(x: unknown, path: string, what: string): string[] {
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x)) throw new ServiceTagError(path, `expected ${what} (an array of strings), found ${describe(x)}`);
  return x.map((s, i) => expectString(s, `${path}[${i}]`, what));
}

/** Parses `values[i].properties.addressPrefixes` into canonical v4 / v6 lists (R-ADDR-1). */
function parsePrefixes(x: unknown, path: string, v4: string[], v6: string[]): void {
  if (!Array.isArray(x)) throw new ServiceTagError(path, `expected an array of address prefixes, found ${describe(x)}`);
  for (let i = 0; i < x.length; i++) {
    const p = x[i];
    const at = `${path}[${i}]`;
    if (typeof p !== 'string') throw new ServiceTagError(at, `expected an address prefix string, found ${describe(p)}`);
    try {
      if (p.includes(':')) {
        const c = parseIpv6Cidr(p);
        v6.push(formatIpv6Cidr(c.words, c.length));
      } else {
        const c = parseIpv4Cidr(p);
        v4.push(formatIpv4Cidr(c.prefix, c.length));
      }
    } catch (e) {
      if (e instanceof AddressError) throw new ServiceTagError(at, `expected an IPv4 or IPv6 prefix: ${e.message}`);
      throw e;
    }
  }
}

/**
 * Loads a service-tags document (`{ changeNumber, cloud, values: [{ name, id, properties: { region, systemService,
 * addressPrefixes, networkFeatures } }] }`). Throws ServiceTagError naming the path of the first malformed value.
 */
export function loadServiceTags(json: unknown, source = 'inline'): ServiceTagSet {
  if (!isObject(json)) throw new ServiceTagError('', `expected a service-tags object { changeNumber, cloud, values }, found ${describe(json)}`);
  const changeNumber = json['changeNumber'];
  if (typeof changeNumber !== 'number' || !Number.isInteger(changeNumber))
    throw new ServiceTagError('changeNumber', `expected an integer change number, found ${describe(changeNumber)}`);
  const cloud = optString(json['cloud'], 'cloud', 'a cloud name');
  const values = json['values'];
  if (!Array.isArray(values)) throw new ServiceTagError('values', `expected an array of service tags, found ${describe(values)}`);

  const tags: ServiceTag[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const at = `values[${i}]`;
    const v = values[i];
    if (!isObject(v)) throw new ServiceTagError(at, `expected a service tag object { name, properties }, found ${describe(v)}`);
    const name = expectString(v['name'], `${at}.name`, 'a tag name');
    if (name.trim() === '') throw new ServiceTagError(`${at}.name`, 'expected a non-empty tag name');
    if (v['id'] !== undefined) expectString(v['id'], `${at}.id`, 'a tag id');
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined)
      throw new ServiceTagError(`${at}.name`, `duplicate tag "${name}" (already defined at values[${first}]); tag names are case-insensitive`);
    seen.set(key, i);
    const props = v['properties'];
    if (!isObject(props))
      throw new ServiceTagError(`${at}.properties`, `expected an object { region, addressPrefixes, ... }, found ${describe(props)}`);
    const region = optString(props['region'], `${at}.properties.region`, 'a region name');
    const systemService = optString(props['systemService'], `${at}.properties.systemService`, 'a system service name');
    const networkFeatures = optStringArray(props['networkFeatures'], `${at}.properties.networkFeatures`, 'a network feature');
    const v4: string[] = [];
    const v6: string[] = [];
    parsePrefixes(props['addressPrefixes'], `${at}.properties.addressPrefixes`, v4, v6);
    tags.push({ name, region: region === '' ? '' : canonicalRegion(region), systemService, v4, v6, networkFeatures });
  }
  return new ServiceTagMap(source, changeNumber, cloud, tags);
}
