// The data plane's view of a network: everything the per-packet code reads, compiled from the control plane's
// objects into integers and typed arrays (STYLE.md 2). Rebuilt (cheaply: FIBs and classifiers are shared with the
// routing and NSG modules) after every control-plane change, then swapped in between batches.
import {
  CompiledNsgClassifier,
  ENDPOINT_SERVICES,
  Ipv4Trie,
  Ipv6Trie,
  ServiceTagMap,
  classifierFromData,
  canonicalRegion,
  endpointService,
  hasStoragePolicy,
  ipv4TableFromData,
  ipv6TableFromData,
  parseCidr,
  parseIpv4,
  parseIpv6,
  shareTable,
  type CompiledIpv4Trie,
  type CompiledIpv6Trie,
  type EffectiveRoute,
  type LpmTableData,
  type NsgClassifierData,
  type ServiceTag,
  type NetworkNsgs,
  type NetworkRouting,
  type NetworkSpec,
  type NsgClassifier,
  type RoutingFib,
  type ScenarioOptions,
  type ServiceTagSet,
} from '@vnetsim/core';

/** `ingress` column encoding: who sent the packet. VM indices are 0..vmCount-1. */
export const Ingress = {
  /** An address of a subnet that no VM holds: `SUBNET + subnetIndex`. */
  SUBNET: 1 << 20,
  /** An on-premises site: `ON_PREM + siteIndex`. */
  ON_PREM: 2 << 20,
  /** A host on the Internet. */
  EXTERNAL: -1,
} as const;

/** Destination classes of the destination table's values. */
export const Dest = {
  /** VM private address: value = vm. */
  VM: 0,
  /** VM instance public address (inbound from the Internet): value = PUBLIC_VM + vm. */
  PUBLIC_VM: 1 << 20,
  /** A modelled service resource: value = SERVICE + service. */
  SERVICE: 2 << 20,
  /** An on-premises prefix: value = ON_PREM + site. */
  ON_PREM: 3 << 20,
  MASK: (1 << 20) - 1,
} as const;

/** Appliance behaviour of a VM (R-SNAT-3). */
export const ApplianceEgress = { NotAppliance: -1, Internet: 0, OnPrem: 1, Drop: 2 } as const;

/**
 * A pool of SNAT ports (R-SNAT-1): one public address, or every public address of a NAT gateway (each contributes
 * its ports: slot k of the pool is port k % portsPerIp of address ips[k / portsPerIp]).
 */
export interface SnatPoolSpec {
  /** First address (the only one for a VM or appliance public IP). */
  ip: number;
  ips: number[];
  label: string;
}

export interface CompiledTables {
  readonly spec: NetworkSpec;
  readonly tags: ServiceTagSet;
  // VMs
  readonly vmNames: readonly string[];
  readonly vmSubnet: Int32Array;
  readonly vmPrivate: Uint32Array;
  /** Instance public IP, 0 none. */
  readonly vmPublic: Uint32Array;
  readonly vmNicOut: ReadonlyArray<NsgClassifier | null>;
  readonly vmNicIn: ReadonlyArray<NsgClassifier | null>;
  readonly vmApplianceEgress: Int8Array;
  /** SNAT pool of the appliance's public IP (egress Internet), -1 none. */
  readonly vmAppliancePool: Int32Array;
  /** SNAT pool of the VM's instance public IP, -1 none. */
  readonly vmPublicPool: Int32Array;
  /** The pool the VM's Internet traffic is translated with (R-SNAT-1, options.outboundPrecedence), decided here. */
  readonly vmOutboundPool: Int32Array;
  /** Which R-SNAT-1 order vmOutboundPool follows (said in traces). */
  readonly outboundPrecedence: 'instancePublicIp' | 'natGateway';
  // subnets (indices = NetworkRouting's subnet indices)
  readonly subnetNames: readonly string[];
  readonly subnetVnet: Int32Array;
  readonly subnetFib: readonly RoutingFib[];
  readonly subnetNsgOut: ReadonlyArray<NsgClassifier | null>;
  readonly subnetNsgIn: ReadonlyArray<NsgClassifier | null>;
  /** SNAT pool for Internet traffic without an instance IP: NAT gateway, else the VNet's default outbound (R-SNAT-1). */
  readonly subnetSnatPool: Int32Array;
  /** R-POL-1: 1 when subnet s may reach service resource r through its endpoint: [s * serviceCount + r]. */
  readonly policyAllows: Uint8Array;
  /** 1 when the subnet has a Storage endpoint policy (an unmodelled Storage address is then refused too, R-POL-1). */
  readonly subnetHasPolicy: Uint8Array;
  /** R-POL-1: the Storage tag's prefixes (a policy filters Storage only), IPv4 and IPv6. */
  readonly storageSpace: CompiledIpv4Trie;
  readonly storageSpace6: CompiledIpv6Trie;
  // VNets
  readonly vnetNames: readonly string[];
  /** First NAT IP of the VNet's gateway (R-SE-5, R-SNAT-3), 0 none. */
  readonly vnetGatewayNat: Uint32Array;
  /** R-SNAT-3: on-premises prefixes behind the VNet's gateway (gateway.onPremPrefixes, onPrem sites), null none. */
  readonly vnetGatewayPrefixes: ReadonlyArray<CompiledIpv4Trie | null>;
  /** R-SVC-4: region of each VNet, as an index shared with serviceRegion. */
  readonly vnetRegion: Int32Array;
  // service resources
  readonly serviceNames: readonly string[];
  readonly serviceAddress: Uint32Array;
  /** 1 when defaultAction is Deny (R-SVC-1). */
  readonly serviceDeny: Uint8Array;
  /** R-SVC-4: region index (see vnetRegion) of each service; 1 in serviceIsStorage for storage accounts. */
  readonly serviceRegion: Int32Array;
  readonly serviceIsStorage: Uint8Array;
  /** R-SVC-4: options.storageSameRegionSource (said in traces). */
  readonly storageSameRegionSource: 'public' | 'azureInternal';
  /** 1 when subnet s is in service r's virtualNetworkRules: [r * subnetCount + s]. */
  readonly serviceVnetRule: Uint8Array;
  /** Per service: its ipRules as a prefix table (value 0 = match), null when none. */
  readonly serviceIpRules: ReadonlyArray<CompiledIpv4Trie | null>;
  /** Error a refused request gets: numeric part of R-SVC-1's codes (403, 40914, 40615). */
  readonly serviceErrorVnet: Uint16Array;
  readonly serviceErrorIp: Uint16Array;
  // on-premises
  readonly onPremNames: readonly string[];
  /** VNet whose gateway connects the site. */
  readonly onPremVia: Int32Array;
  // addresses
  /** Destination table: VM private / public addresses, service addresses, on-premises prefixes (Dest encoding). */
  readonly destinations: CompiledIpv4Trie;
  /** IPv6 destination table: VM private IPv6 addresses, on-premises IPv6 prefixes (same Dest encoding). */
  readonly destinations6: CompiledIpv6Trie;
  /** Address space of the endpoint services' tags (value: index into serviceSpaceTags): "an Azure service". */
  readonly serviceSpace: CompiledIpv4Trie;
  readonly serviceSpaceTags: readonly string[];
  readonly snatPools: readonly SnatPoolSpec[];
}

function errorNumber(code: string): number {
  const n = Number.parseInt(code, 10);
  return Number.isFinite(n) ? n : 403;
}

/** Default outbound address of a VNet without one given: a stable, clearly synthetic public address. */
export function defaultOutboundIp(vnetIndex: number): number {
  return ((20 << 24) | (250 << 16) | (((vnetIndex >> 8) & 255) << 8) | ((vnetIndex & 255) + 1)) >>> 0;
}

/** compileTables calls in this thread (a pipeline worker makes none: it rebuilds shared tables). */
export const tableCompiles = { count: 0 };

export function compileTables(
  spec: NetworkSpec,
  tags: ServiceTagSet,
  routing: NetworkRouting,
  nsgs: NetworkNsgs,
  options: Pick<ScenarioOptions, 'outboundPrecedence' | 'storageSameRegionSource'> = {},
): CompiledTables {
  tableCompiles.count++;
  const vnetNames = spec.vnets.map((v) => v.name);
  const vnetIndex = new Map(vnetNames.map((n, i) => [n, i]));
  const subnetNames = routing.subnetNames();
  const subnetIndex = new Map(subnetNames.map((n, i) => [n, i]));
  const nSub = subnetNames.length;

  const pools: SnatPoolSpec[] = [];
  const poolByIp = new Map<string, number>();
  const pool = (ipText: string | string[], label: string): number => {
    const ips = (Array.isArray(ipText) ? ipText : [ipText]).map(parseIpv4);
    const key = ips.join(',');
    let p = poolByIp.get(key);
    if (p === undefined) {
      p = pools.length;
      pools.push({ ip: ips[0]!, ips, label });
      poolByIp.set(key, p);
    }
    return p;
  };

  // VNets
  const vnetGatewayNat = new Uint32Array(spec.vnets.length);
  const vnetDefaultPool = new Int32Array(spec.vnets.length);
  const vnetGatewayPrefixes: Array<CompiledIpv4Trie | null> = [];
  const vnetRegion = new Int32Array(spec.vnets.length);
  const regionIds = new Map<string, number>();
  const regionId = (r: string): number => {
    const c = canonicalRegion(r);
    let k = regionIds.get(c);
    if (k === undefined) regionIds.set(c, (k = regionIds.size));
    return k;
  };
  spec.vnets.forEach((v, i) => {
    vnetRegion[i] = regionId(v.region);
    const nat = v.gateway?.natIps[0];
    if (nat !== undefined) vnetGatewayNat[i] = parseIpv4(nat);
    // R-SNAT-3: what lies on-premises behind this VNet's gateway (delivered there untranslated).
    const onPrem = [...(v.gateway?.onPremPrefixes ?? []), ...spec.onPrem.filter((o) => o.via === v.name).map((o) => o.prefix)];
    const gw = new Ipv4Trie();
    let any = false;
    for (const text of onPrem) {
      const c = parseCidr(text);
      // A default route advertised by BGP is forced tunnelling (R-RT-6), not an on-premises network.
      if (c.family === 4 && c.length > 0) {
        gw.insert(c.prefix, c.length, 0);
        any = true;
      }
    }
    vnetGatewayPrefixes.push(any ? gw.compile() : null);
    const text = v.defaultOutboundIp ?? formatV4(defaultOutboundIp(i));
    vnetDefaultPool[i] = pool(text, `default outbound of ${v.name}`);
  });

  // Subnets
  const subnetVnet = new Int32Array(nSub);
  const subnetFib: RoutingFib[] = [];
  const subnetNsgOut: Array<NsgClassifier | null> = [];
  const subnetNsgIn: Array<NsgClassifier | null> = [];
  const subnetSnatPool = new Int32Array(nSub);
  const subnetSpecs = subnetNames.map((name) => {
    const [vn, sn] = splitSubnet(name);
    const v = spec.vnets[vnetIndex.get(vn)!]!;
    return { vnet: v, subnet: v.subnets.find((s) => s.name === sn)! };
  });
  subnetSpecs.forEach(({ vnet, subnet }, s) => {
    const vi = vnetIndex.get(vnet.name)!;
    subnetVnet[s] = vi;
    subnetFib.push(routing.fibOf(s));
    subnetNsgOut.push(subnet.nsg === undefined ? null : nsgs.classifier(subnet.nsg, 'Outbound', vnet.name));
    subnetNsgIn.push(subnet.nsg === undefined ? null : nsgs.classifier(subnet.nsg, 'Inbound', vnet.name));
    // R-SNAT-1: every public IP of the NAT gateway contributes its ports to one pool.
    const natIps = subnet.natGateway?.publicIps ?? [];
    subnetSnatPool[s] = natIps.length > 0 ? pool(natIps, `NAT gateway of ${vnet.name}/${subnet.name}`) : vnetDefaultPool[vi]!;
  });

  // VMs
  const n = spec.vms.length;
  const vmSubnet = new Int32Array(n);
  const vmPrivate = new Uint32Array(n);
  const vmPublic = new Uint32Array(n);
  const vmApplianceEgress = new Int8Array(n);
  const vmAppliancePool = new Int32Array(n).fill(-1);
  const vmPublicPool = new Int32Array(n).fill(-1);
  const vmNicOut: Array<NsgClassifier | null> = [];
  const vmNicIn: Array<NsgClassifier | null> = [];
  const dest = new Ipv4Trie();
  const dest6 = new Ipv6Trie();
  spec.vms.forEach((vm, i) => {
    vmSubnet[i] = subnetIndex.get(vm.subnet) ?? -1;
    vmPrivate[i] = parseIpv4(vm.privateIp);
    dest.insert(vmPrivate[i]!, 32, Dest.VM + i);
    if (vm.privateIpV6 !== undefined) dest6.insert(parseIpv6(vm.privateIpV6), 128, Dest.VM + i);
    if (vm.publicIp !== undefined) {
      vmPublic[i] = parseIpv4(vm.publicIp);
      vmPublicPool[i] = pool(vm.publicIp, `instance public IP of ${vm.name}`);
      dest.insert(vmPublic[i]!, 32, Dest.PUBLIC_VM + i);
    }
    const vnetName = splitSubnet(vm.subnet)[0];
    vmNicOut.push(vm.nsg === undefined ? null : nsgs.classifier(vm.nsg, 'Outbound', vnetName));
    vmNicIn.push(vm.nsg === undefined ? null : nsgs.classifier(vm.nsg, 'Inbound', vnetName));
    const app = vm.appliance;
    vmApplianceEgress[i] =
      app === undefined || !vm.ipForwarding ? ApplianceEgress.NotAppliance : ApplianceEgress[app.egress];
    if (app?.publicIp !== undefined) vmAppliancePool[i] = pool(app.publicIp, `public IP of appliance ${vm.name}`);
    else if (vm.publicIp !== undefined) vmAppliancePool[i] = vmPublicPool[i]!;
  });

  // R-SNAT-1: instance public IP, else NAT gateway, else default outbound (SEMANTICS.md); with outboundPrecedence
  // `natGateway` (Azure's current NAT gateway documents) a subnet's NAT gateway wins over the instance IP.
  const natFirst = options.outboundPrecedence === 'natGateway';
  const vmOutboundPool = new Int32Array(n);
  spec.vms.forEach((vm, i) => {
    const s = vmSubnet[i]!;
    const subnetPool = s >= 0 ? subnetSnatPool[s]! : -1;
    const hasNat = s >= 0 && subnetSpecs[s]!.subnet.natGateway !== undefined;
    vmOutboundPool[i] = vmPublicPool[i]! >= 0 && !(natFirst && hasNat) ? vmPublicPool[i]! : subnetPool;
  });

  // On-premises sites
  const onPremVia = new Int32Array(spec.onPrem.length);
  spec.onPrem.forEach((o, i) => {
    onPremVia[i] = vnetIndex.get(o.via) ?? -1;
    const c = parseCidr(o.prefix);
    if (c.family === 4) dest.insert(c.prefix, c.length, Dest.ON_PREM + i);
    else dest6.insert(c.words, c.length, Dest.ON_PREM + i);
  });

  // Service resources (R-SVC-1)
  const m = spec.services.length;
  const serviceAddress = new Uint32Array(m);
  const serviceDeny = new Uint8Array(m);
  const serviceRegion = new Int32Array(m);
  const serviceIsStorage = new Uint8Array(m);
  const serviceVnetRule = new Uint8Array(m * nSub);
  const serviceIpRules: Array<CompiledIpv4Trie | null> = [];
  const serviceErrorVnet = new Uint16Array(m);
  const serviceErrorIp = new Uint16Array(m);
  spec.services.forEach((svc, r) => {
    serviceAddress[r] = parseIpv4(svc.address);
    dest.insert(serviceAddress[r]!, 32, Dest.SERVICE + r);
    serviceDeny[r] = svc.firewall.defaultAction === 'Deny' ? 1 : 0;
    serviceRegion[r] = regionId(svc.region);
    serviceIsStorage[r] = endpointService(svc.type)?.tag === 'Storage' ? 1 : 0;
    for (const sn of svc.firewall.virtualNetworkRules) {
      const s = subnetIndex.get(sn);
      if (s !== undefined) serviceVnetRule[r * nSub + s] = 1;
    }
    if (svc.firewall.ipRules.length === 0) serviceIpRules.push(null);
    else {
      const t = new Ipv4Trie();
      for (const rule of svc.firewall.ipRules) {
        const c = parseCidr(rule, true);
        if (c.family === 4) t.insert(c.prefix, c.length, 0);
      }
      serviceIpRules.push(t.compile());
    }
    const info = endpointService(svc.type);
    serviceErrorVnet[r] = errorNumber(info?.errorOnDeny.vnet ?? '403');
    serviceErrorIp[r] = errorNumber(info?.errorOnDeny.ip ?? '403');
  });

  // R-POL-1: endpoint policies (union of the subnet's Storage policies; none = every resource). They filter Storage
  // only: Sql, Key Vault and other services' resources are never refused by them.
  const policyAllows = new Uint8Array(nSub * m);
  const subnetHasPolicy = new Uint8Array(nSub);
  subnetSpecs.forEach(({ subnet }, s) => {
    subnetHasPolicy[s] = hasStoragePolicy(spec, subnet) ? 1 : 0;
    const policies = subnet.endpointPolicies
      .map((p) => spec.endpointPolicies.find((x) => x.name === p))
      .filter((p) => p !== undefined);
    spec.services.forEach((svc, r) => {
      const storage = endpointService(svc.type)?.tag === 'Storage';
      const relevant = storage ? policies.filter((p) => endpointService(p.service)?.tag === 'Storage') : [];
      const allowed =
        relevant.length === 0 ||
        relevant.some(
          (p) =>
            p.resources.includes(svc.name) ||
            (p.subscriptions ?? []).includes(svc.subscription) ||
            (svc.resourceGroup !== undefined && (p.resourceGroups ?? []).includes(svc.resourceGroup)),
        );
      policyAllows[s * m + r] = allowed ? 1 : 0;
    });
  });

  // R-POL-1: the Storage tag's prefixes: an unmodelled destination there is what a Storage policy filters.
  const storage4 = new Ipv4Trie();
  const storage6 = new Ipv6Trie();
  for (const p of [...(tags.get('Storage')?.v4 ?? []), ...(tags.get('Storage')?.v6 ?? [])]) {
    const c = parseCidr(p);
    if (c.family === 4) storage4.insert(c.prefix, c.length, 0);
    else storage6.insert(c.words, c.length, 0);
  }

  // The address space of endpoint services' tags: a destination there is "an Azure service" even when no resource of
  // the scenario has that address (its front end answers).
  const space = new Ipv4Trie();
  const spaceTags: string[] = [];
  const seenTags = new Set<string>();
  for (const tag of tags.all()) {
    const base = tag.name.split('.')[0]!;
    if (tag.region !== '' || seenTags.has(base) || !isEndpointTag(base)) continue;
    seenTags.add(base);
    const idx = spaceTags.length;
    spaceTags.push(tag.name);
    for (const p of tag.v4) {
      const c = parseCidr(p);
      if (c.family === 4 && space.get(c.prefix, c.length) < 0) space.insert(c.prefix, c.length, idx);
    }
  }

  return {
    spec,
    tags,
    vmNames: spec.vms.map((v) => v.name),
    vmSubnet,
    vmPrivate,
    vmPublic,
    vmNicOut,
    vmNicIn,
    vmApplianceEgress,
    vmAppliancePool,
    vmPublicPool,
    vmOutboundPool,
    outboundPrecedence: natFirst ? 'natGateway' : 'instancePublicIp',
    subnetNames,
    subnetVnet,
    subnetFib,
    subnetNsgOut,
    subnetNsgIn,
    subnetSnatPool,
    policyAllows,
    subnetHasPolicy,
    storageSpace: storage4.compile(),
    storageSpace6: storage6.compile(),
    vnetNames,
    vnetGatewayNat,
    vnetGatewayPrefixes,
    vnetRegion,
    serviceNames: spec.services.map((s) => s.name),
    serviceAddress,
    serviceDeny,
    serviceRegion,
    serviceIsStorage,
    storageSameRegionSource: options.storageSameRegionSource === 'azureInternal' ? 'azureInternal' : 'public',
    serviceVnetRule,
    serviceIpRules,
    serviceErrorVnet,
    serviceErrorIp,
    onPremNames: spec.onPrem.map((o) => o.name),
    onPremVia,
    destinations: dest.compile(),
    destinations6: dest6.compile(),
    serviceSpace: space.compile(),
    serviceSpaceTags: spaceTags,
    snatPools: pools,
  };
}

const ENDPOINT_TAGS = new Set(Object.values(ENDPOINT_SERVICES).map((s) => s.tag));
function isEndpointTag(name: string): boolean {
  return ENDPOINT_TAGS.has(name);
}

export function splitSubnet(name: string): [string, string] {
  const i = name.indexOf('/');
  return [name.slice(0, i), name.slice(i + 1)];
}

function formatV4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

// ---- shared tables (DESIGN.md "Scale"): compiled once, read by every worker from the same memory ----

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
  destinations: LpmTableData;
  destinations6: LpmTableData;
  serviceSpace: LpmTableData;
  storageSpace: LpmTableData;
  storageSpace6: LpmTableData;
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
    destinations: shareTable(tables.destinations),
    destinations6: shareTable(tables.destinations6),
    serviceSpace: shareTable(tables.serviceSpace),
    storageSpace: shareTable(tables.storageSpace),
    storageSpace6: shareTable(tables.storageSpace6),
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
    destinations: ipv4TableFromData(d.destinations),
    destinations6: ipv6TableFromData(d.destinations6),
    serviceSpace: ipv4TableFromData(d.serviceSpace),
    storageSpace: ipv4TableFromData(d.storageSpace),
    storageSpace6: ipv6TableFromData(d.storageSpace6),
  };
}
