// What the table compilers share: names and indices of VNets and subnets, the SNAT pools (one per public address),
// and the destination tables every part inserts into.
import { Ipv4Trie, Ipv6Trie, parseIpv4, type NetworkRouting, type NetworkSpec, type SubnetSpec, type VnetSpec } from '@vnetsim/core';
import type { SnatPoolSpec } from './encodings.js';

export class CompileContext {
  readonly vnetNames: string[];
  readonly vnetIndex: Map<string, number>;
  readonly subnetNames: string[];
  readonly subnetIndex: Map<string, number>;
  /** Per subnet index: its VNet and subnet specs. */
  readonly subnetSpecs: Array<{ vnet: VnetSpec; subnet: SubnetSpec }>;
  readonly pools: SnatPoolSpec[] = [];
  private readonly poolByIp = new Map<number, number>();
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

  /** The SNAT pool of a public address (one per address, however many places name it). */
  pool(ipText: string, label: string): number {
    const ip = parseIpv4(ipText);
    let p = this.poolByIp.get(ip);
    if (p === undefined) {
      p = this.pools.length;
      this.pools.push({ ip, label });
      this.poolByIp.set(ip, p);
    }
    return p;
  }
}

export function splitSubnet(name: string): [string, string] {
  const i = name.indexOf('/');
  return [name.slice(0, i), name.slice(i + 1)];
}
