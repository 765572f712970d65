// The data plane's view of a network: everything the per-packet code reads, compiled from the control plane's
// objects into integers and typed arrays (STYLE.md 2). Rebuilt (cheaply: FIBs and classifiers are shared with the
// routing and NSG modules) after every control-plane change, then swapped in between batches.
import type {
  CompiledIpv4Trie,
  CompiledIpv6Trie,
  NetworkNsgs,
  NetworkRouting,
  NetworkSpec,
  NsgClassifier,
  RoutingFib,
  ScenarioOptions,
  ServiceTagSet,
} from '@vnetsim/core';
import { CompileContext } from './control/compile-context.js';
import { compileSubnets, compileVnets } from './control/compile-subnets.js';
import { compileVms } from './control/compile-vms.js';
import { compileOnPrem, compilePolicies, compileServices, compileServiceSpace } from './control/compile-services.js';
import type { SnatPoolSpec } from './control/encodings.js';

export { ApplianceEgress, Dest, Ingress, type SnatPoolSpec } from './control/encodings.js';
export { splitSubnet } from './control/compile-context.js';
export { defaultOutboundIp } from './control/compile-subnets.js';
export { shareTables, tablesFromData, type SharedFibData, type SharedTablesData } from './control/shared-tables.js';

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

/** compileTables calls in this thread (a pipeline worker makes none: it rebuilds shared tables). */
export const tableCompiles = { count: 0 };

/** Compiles the network's objects into the tables the stages read; each part lives in control/compile-*.ts. */
export function compileTables(
  spec: NetworkSpec,
  tags: ServiceTagSet,
  routing: NetworkRouting,
  nsgs: NetworkNsgs,
  options: Pick<ScenarioOptions, 'outboundPrecedence' | 'storageSameRegionSource'> = {},
): CompiledTables {
  tableCompiles.count++;
  const ctx = new CompileContext(spec, routing);
  const { vnetGatewayNat, vnetDefaultPool, vnetGatewayPrefixes, vnetRegion } = compileVnets(ctx);
  const subnets = compileSubnets(ctx, routing, nsgs, vnetDefaultPool);
  // Order matters: each part inserts into the destination tables (VMs, then on-premises, then services).
  const vms = compileVms(ctx, nsgs, subnets.subnetSnatPool, options);
  const onPrem = compileOnPrem(ctx);
  const services = compileServices(ctx);
  return {
    spec,
    tags,
    ...vms,
    subnetNames: ctx.subnetNames,
    ...subnets,
    ...compilePolicies(ctx, tags),
    vnetNames: ctx.vnetNames,
    vnetGatewayNat,
    vnetGatewayPrefixes,
    vnetRegion,
    ...services,
    storageSameRegionSource: options.storageSameRegionSource === 'azureInternal' ? 'azureInternal' : 'public',
    ...onPrem,
    destinations: ctx.dest.compile(),
    destinations6: ctx.dest6.compile(),
    ...compileServiceSpace(tags),
    snatPools: ctx.pools satisfies SnatPoolSpec[],
  };
}
