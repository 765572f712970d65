// Compiled tables as shared data (DESIGN.md "Scale"): compiled once, read by every worker from the same memory.
import {
  CompiledNsgClassifier,
  classifierFromData,
  ipv4TableFromData,
  ipv6TableFromData,
  ServiceTagMap,
  shareTable,
  type EffectiveRoute,
  type LpmTableData,
  type NetworkSpec,
  type NsgClassifier,
  type NsgClassifierData,
  type RoutingFib,
  type ServiceTag,
} from '@vnetsim/core';
import type { CompiledTables } from '../tables.js';

/** A FIB as data: tries as LPM table data, next-hop columns in SharedArrayBuffers, the route rows as JSON. */
export interface SharedFibData {
  v4: LpmTableData;
  v6: LpmTableData;
  routes: EffectiveRoute[];
  nextHop: Uint8Array;
  nextHopIp: Uint32Array;
  nextHopIpV6: Uint32Array;
  key: string;
}

/** Typed-array columns of CompiledTables (moved to SharedArrayBuffers as they are). */
const COLUMNS = [
  'vmSubnet', 'vmPrivate', 'vmPublic', 'vmApplianceEgress', 'vmAppliancePool', 'vmPublicPool', 'vmOutboundPool',
  'subnetVnet', 'subnetSnatPool', 'policyAllows', 'subnetHasPolicy', 'vnetGatewayNat', 'vnetRegion', 'serviceAddress',
  'serviceDeny', 'serviceRegion', 'serviceIsStorage', 'serviceVnetRule', 'serviceErrorVnet', 'serviceErrorIp', 'onPremVia',
] as const;
type ColumnName = (typeof COLUMNS)[number];

/** Names and small lists of CompiledTables, as JSON. */
const PLAIN = [
  'vmNames', 'subnetNames', 'vnetNames', 'serviceNames', 'onPremNames', 'serviceSpaceTags', 'snatPools', 'outboundPrecedence',
  'storageSameRegionSource',
] as const;
type PlainName = (typeof PLAIN)[number];

/**
 * CompiledTables as data that postMessage shares rather than copies: every typed array in a SharedArrayBuffer, tries
 * as LPM table data, classifiers and FIBs deduplicated (tables refer to them by index, -1 none), the rest JSON.
 */
export type SharedTablesData = Pick<CompiledTables, ColumnName> & {
  -readonly [K in PlainName]: CompiledTables[K];
} & {
  spec: NetworkSpec;
  tags: { source: string; changeNumber: number; cloud: string; tags: readonly ServiceTag[] };
  classifiers: NsgClassifierData[];
  vmNicOut: Int32Array;
  vmNicIn: Int32Array;
  subnetNsgOut: Int32Array;
  subnetNsgIn: Int32Array;
  fibs: SharedFibData[];
  subnetFib: Int32Array;
  serviceIpRules: Array<LpmTableData | null>;
  vnetGatewayPrefixes: Array<LpmTableData | null>;
  storageSpace: LpmTableData;
  storageSpace6: LpmTableData;
  destinations: LpmTableData;
  destinations6: LpmTableData;
  serviceSpace: LpmTableData;
};

type Column = CompiledTables[ColumnName];

function sharedColumn<T extends Column>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return copy;
}

/** Moves `tables` to shared data, once (in the thread that compiled them); workers rebuild with tablesFromData. */
export function shareTables(tables: CompiledTables): SharedTablesData {
  const classifiers: NsgClassifierData[] = [];
  const classifierIndex = new Map<NsgClassifier, number>();
  const classifierRefs = (list: ReadonlyArray<NsgClassifier | null>): Int32Array => {
    const out = new Int32Array(new SharedArrayBuffer(4 * list.length));
    list.forEach((c, i) => {
      if (c === null) return void (out[i] = -1);
      let k = classifierIndex.get(c);
      if (k === undefined) {
        if (!(c instanceof CompiledNsgClassifier)) throw new TypeError('shareTables: NSG classifiers must be CompiledNsgClassifier');
        k = classifiers.push(c.toData()) - 1;
        classifierIndex.set(c, k);
      }
      out[i] = k;
    });
    return out;
  };
  const fibs: SharedFibData[] = [];
  const fibIndex = new Map<RoutingFib, number>();
  const subnetFib = new Int32Array(new SharedArrayBuffer(4 * tables.subnetFib.length));
  tables.subnetFib.forEach((f, s) => {
    let k = fibIndex.get(f);
    if (k === undefined) {
      k = fibs.push({
        v4: shareTable(f.v4), v6: shareTable(f.v6), routes: JSON.parse(JSON.stringify(f.routes)) as EffectiveRoute[],
        nextHop: sharedColumn(f.nextHop), nextHopIp: sharedColumn(f.nextHopIp), nextHopIpV6: sharedColumn(f.nextHopIpV6), key: f.key,
      }) - 1;
      fibIndex.set(f, k);
    }
    subnetFib[s] = k;
  });
  const columns = {} as Record<ColumnName, Column>;
  for (const c of COLUMNS) columns[c] = sharedColumn(tables[c]);
  const plain = JSON.parse(JSON.stringify(Object.fromEntries(PLAIN.map((p) => [p, tables[p]])))) as Pick<SharedTablesData, PlainName>;
  const t = tables.tags;
  return {
    ...(columns as Pick<CompiledTables, ColumnName>),
    ...plain,
    spec: tables.spec,
    tags: { source: t.source, changeNumber: t.changeNumber, cloud: t.cloud, tags: t.all() },
    classifiers,
    vmNicOut: classifierRefs(tables.vmNicOut),
    vmNicIn: classifierRefs(tables.vmNicIn),
    subnetNsgOut: classifierRefs(tables.subnetNsgOut),
    subnetNsgIn: classifierRefs(tables.subnetNsgIn),
    fibs,
    subnetFib,
    serviceIpRules: tables.serviceIpRules.map((r) => (r === null ? null : shareTable(r))),
    vnetGatewayPrefixes: tables.vnetGatewayPrefixes.map((r) => (r === null ? null : shareTable(r))),
    storageSpace: shareTable(tables.storageSpace),
    storageSpace6: shareTable(tables.storageSpace6),
    destinations: shareTable(tables.destinations),
    destinations6: shareTable(tables.destinations6),
    serviceSpace: shareTable(tables.serviceSpace),
  };
}

/**
 * Rebuilds CompiledTables around shared data (after postMessage: the same memory), compiling nothing: tries, FIBs and
 * classifiers wrap the data's arrays. Deduplicated classifiers and FIBs come back as one object each.
 */
export function tablesFromData(d: SharedTablesData): CompiledTables {
  const classifiers = d.classifiers.map((c) => classifierFromData(c));
  const refs = (idx: Int32Array): Array<NsgClassifier | null> => Array.from(idx, (k) => (k < 0 ? null : classifiers[k]!));
  const fibs = d.fibs.map((f): RoutingFib => ({
    v4: ipv4TableFromData(f.v4), v6: ipv6TableFromData(f.v6), routes: f.routes,
    nextHop: f.nextHop, nextHopIp: f.nextHopIp, nextHopIpV6: f.nextHopIpV6, key: f.key,
  }));
  const columns = {} as Record<ColumnName, Column>;
  for (const c of COLUMNS) columns[c] = d[c];
  const plain = {} as Record<PlainName, unknown>;
  for (const p of PLAIN) plain[p] = d[p];
  return {
    ...(columns as Pick<CompiledTables, ColumnName>),
    ...(plain as Pick<CompiledTables, PlainName>),
    spec: d.spec,
    tags: new ServiceTagMap(d.tags.source, d.tags.changeNumber, d.tags.cloud, d.tags.tags),
    vmNicOut: refs(d.vmNicOut),
    vmNicIn: refs(d.vmNicIn),
    subnetNsgOut: refs(d.subnetNsgOut),
    subnetNsgIn: refs(d.subnetNsgIn),
    subnetFib: Array.from(d.subnetFib, (k) => fibs[k]!),
    serviceIpRules: d.serviceIpRules.map((r) => (r === null ? null : ipv4TableFromData(r))),
    vnetGatewayPrefixes: d.vnetGatewayPrefixes.map((r) => (r === null ? null : ipv4TableFromData(r))),
    storageSpace: ipv4TableFromData(d.storageSpace),
    storageSpace6: ipv6TableFromData(d.storageSpace6),
    destinations: ipv4TableFromData(d.destinations),
    destinations6: ipv6TableFromData(d.destinations6),
    serviceSpace: ipv4TableFromData(d.serviceSpace),
  };
}
