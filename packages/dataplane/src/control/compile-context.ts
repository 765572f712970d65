// What the table compilers share: names and indices of VNets and subnets, the SNAT pools (one per public address),
// and the destination tables every part inserts into.
import { canonicalRegion, Ipv4Trie, Ipv6Trie, parseIpv4, type NetworkRouting, type NetworkSpec, type SubnetSpec, type VnetSpec } from '@vnetsim/core';
import type { SnatPoolSpec } from './encodings.js';

export class CompileContext {
  readonly vnetNames: string[];
  readonly vnetIndex: Map<string, number>;
  readonly subnetNames: string[];
  readonly subnetIndex: Map<string, number>;
  /** Per subnet index: its VNet and subnet specs. */
  readonly subnetSpecs: Array<{ vnet: VnetSpec; subnet: SubnetSpec }>;
  readonly pools: SnatPoolSpec[] = [];
  private readonly poolByIp = new Map<string, number>();
  private readonly regionIds = new Map<string, number>();
  /** Destination tables (Dest encoding), filled by the VM, on-premises and service compilers. */
  readonly dest = new Ipv4Trie();
  readonly dest6 = new Ipv6Trie();

  constructor(readonly spec: NetworkSpec, routing: NetworkRouting) {
    this.vnetNames = spec.vnets.map((v) => v.name);
    this.vnetIndex = new Map(this.vnetNames.map((n, i) => [n, i]));
    this.subnetNames = routing.subnetNames();
    this.subnetIndex = new Map(this.subnetNames.map((n, i) => [n, i]));
    this.subnetSpecs = this.subnetNames.map((name) => {
      const [vn, sn] = splitSubnet(name);
      const v = spec.vnets[this.vnetIndex.get(vn)!]!;
      return { vnet: v, subnet: v.subnets.find((s) => s.name === sn)! };
    });
  }

  get subnetCount(): number {
    return this.subnetNames.length;
  }

  /**
   * The SNAT pool of a public address, or of a NAT gateway's addresses (one pool per address set, however many places
   * name it: a gateway's subnets share it, R-SNAT-1).
   */
  pool(ipText: string | readonly string[], label: string): number {
    const ips = (typeof ipText === 'string' ? [ipText] : [...ipText]).map(parseIpv4);
    const key = ips.join(',');
    let p = this.poolByIp.get(key);
    if (p === undefined) {
      p = this.pools.length;
      this.pools.push({ ip: ips[0]!, ips, label });
      this.poolByIp.set(key, p);
    }
    return p;
  }

  /** R-SVC-4: a small integer per region (canonical name), shared by VNets and services. */
  regionId(region: string): number {
    const c = canonicalRegion(region);
    let k = this.regionIds.get(c);
    if (k === undefined) this.regionIds.set(c, (k = this.regionIds.size));
    return k;
  }
}

export function splitSubnet(name: string): [string, string] {
  const i = name.indexOf('/');
  return [name.slice(0, i), name.slice(i + 1)];
}
