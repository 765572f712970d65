// The routing module's public shapes (a contract between core/routing and the data plane). Do not rename.
import type { CompiledIpv4Trie, CompiledIpv6Trie } from '../lpm/index.js';
import type { NextHopType, RouteSource, RouteState } from '../model/types.js';

/** One row of a subnet's effective routes, as Azure prints them (R-RT-*, R-SE-ROUTE-3). */
export interface EffectiveRoute {
  /** UDR name, or null for system routes. */
  name: string | null;
  source: RouteSource;
  state: RouteState;
  /**
   * One prefix per row (endpoint routes: one row per tag prefix, R-SE-ROUTE-1), except a user route whose prefix is a
   * service tag: one row with every prefix of the tag (R-RT-8).
   */
  addressPrefixes: string[];
  nextHopType: NextHopType;
  /** [] when the next hop has no IP. */
  nextHopIpAddress: string[];
  /** Route table name for UDRs, null for system routes ("System Route"). */
  routeTable: string | null;
  /** For VirtualNetworkServiceEndpoint rows: the service (`Microsoft.Storage`). */
  service: string | null;
  /** Why an Invalid row lost (R-RT-4, R-SE-ROUTE-2), null when Active. */
  invalidReason: string | null;
  /** R-RT-8: the service tag a user route names as its prefix (`Storage.WestEurope`); absent for CIDR routes. */
  serviceTag?: string;
  /**
   * R-RT-8: prefixes of an Active service-tag route that another route carries (an explicit or more regional route for
   * the same prefix, R-RT-4, R-SE-ROUTE-2), with why; the FIB leaves them out. Absent when none.
   */
  inactivePrefixes?: { prefix: string; reason: string }[];
}

/**
 * The compiled forwarding table of one or more subnets (shared when their effective routes are identical).
 * Trie values are indices into `routes` (the Active rows only); the typed columns repeat what the data plane needs.
 */
export interface Fib {
  readonly v4: CompiledIpv4Trie;
  readonly v6: CompiledIpv6Trie;
  /** Active routes, indexed by trie value. */
  readonly routes: readonly EffectiveRoute[];
  /** NextHop enum (dispositions.ts) per route index. */
  readonly nextHop: Uint8Array;
  /** IPv4 next-hop IP per route index (0 when none). */
  readonly nextHopIp: Uint32Array;
  /** A canonical key of the effective route table (equal keys => one shared Fib). */
  readonly key: string;
}

export interface NextHopResult {
  nextHopType: NextHopType;
  nextHopIpAddress: string | null;
  /** The route table name, or "System Route" (Network Watcher's next hop). */
  routeTableId: string;
  route: EffectiveRoute | null;
}
