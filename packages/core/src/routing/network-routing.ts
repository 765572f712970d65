// Every subnet's effective routes and FIB, compiled once; identical tables share one Fib; `update` recompiles only
// the subnets whose inputs changed (DESIGN.md "recompile only what it touches").
import type { NetworkSpec, ScenarioOptions, SubnetSpec, VnetSpec } from '../model/types.js';
import type { ServiceTagSet } from '../model/service-tags/types.js';
import type { EffectiveRoute, NextHopResult } from './types.js';
import { effectiveRoutes, peersOf } from './effective.js';
import { compileFib, fibKey, fibLookup, type RoutingFib } from './fib.js';
import { RoutingError } from './errors.js';
import { isServiceTagName } from '../model/services.js';

/** Network Watcher's route table id for system routes. */
export const SYSTEM_ROUTE = 'System Route';

interface SubnetEntry {
  name: string;
  /** Everything the subnet's effective routes depend on, as one string. */
  inputs: string;
  routes: EffectiveRoute[];
  fib: RoutingFib;
}

const DEFAULT_OPTIONS: ScenarioOptions = { endpointPrecedence: 'override' };

export class NetworkRouting {
  private net: NetworkSpec;
  private tags: ServiceTagSet;
  private options: ScenarioOptions;
  /** Bumped when a different tag set is given; only subnets with endpoints depend on it. */
  private tagsEpoch = 0;
  private entries: SubnetEntry[] = [];
  private byName = new Map<string, number>();
  /** Live Fibs by key (R-RT tables shared between subnets). */
  private fibs = new Map<string, RoutingFib>();

  constructor(net: NetworkSpec, tags: ServiceTagSet, options: ScenarioOptions = DEFAULT_OPTIONS) {
    this.net = net;
    this.tags = tags;
    this.options = options;
    this.rebuild(() => true);
  }

  /** `vnet/subnet` names, in network order; the index of a name is its subnet index. */
  subnetNames(): string[] {
    return this.entries.map((e) => e.name);
  }

  /** Index of `vnet/subnet`, -1 when there is no such subnet. */
  subnetIndex(name: string): number {
    return this.byName.get(name) ?? -1;
  }

  fibOf(subnet: string | number): RoutingFib {
    return this.entry(subnet).fib;
  }

  /** The full table, Active and Invalid rows. */
  effectiveRoutesOf(subnet: string | number): EffectiveRoute[] {
    return this.entry(subnet).routes;
  }

  /** The Active route the subnet's FIB picks for `address`, or null (no route covers it). */
  lookupRoute(subnet: string | number, address: string): EffectiveRoute | null {
    return fibLookup(this.entry(subnet).fib, address);
  }

  /** Network Watcher's next hop for traffic from VM `vmName` to `destination`. */
  nextHop(vmName: string, destination: string): NextHopResult {
    const vm = this.net.vms.find((v) => v.name === vmName);
    if (vm === undefined) throw new RoutingError('vm', `no VM named "${vmName}" in network.vms`);
    const route = this.lookupRoute(vm.subnet, destination);
    if (route === null) return { nextHopType: 'None', nextHopIpAddress: null, routeTableId: SYSTEM_ROUTE, route: null };
    return {
      nextHopType: route.nextHopType,
      nextHopIpAddress: route.nextHopIpAddress[0] ?? null,
      routeTableId: route.routeTable ?? SYSTEM_ROUTE,
      route,
    };
  }

  /**
   * Adopts a changed network (and optionally tags/options). Recompiles only subnets whose inputs changed (own VNet
   * ranges, peers and their ranges, gateway prefixes, route table, endpoints; tags and precedence only for subnets with
   * endpoints) and returns their names, plus the names of removed subnets. Untouched subnets keep their Fib object.
   */
  update(net: NetworkSpec, tags?: ServiceTagSet, options?: ScenarioOptions): string[] {
    if (tags !== undefined && tags !== this.tags) {
      this.tags = tags;
      this.tagsEpoch++;
    }
    if (options !== undefined) this.options = options;
    this.net = net;
    const old = new Map(this.entries.map((e) => [e.name, e]));
    const changed = this.rebuild((name, inputs) => old.get(name)?.inputs !== inputs, old);
    for (const name of old.keys()) if (!this.byName.has(name)) changed.push(name);
    return changed;
  }

  private entry(subnet: string | number): SubnetEntry {
    const i = typeof subnet === 'number' ? subnet : this.subnetIndex(subnet);
    const e = this.entries[i];
    if (e === undefined) throw new RoutingError('subnet', `no subnet ${typeof subnet === 'number' ? `#${subnet}` : `"${subnet}"`} (expected one of: ${this.subnetNames().join(', ')})`);
    return e;
  }

  private rebuild(isChanged: (name: string, inputs: string) => boolean, old = new Map<string, SubnetEntry>()): string[] {
    const changed: string[] = [];
    const entries: SubnetEntry[] = [];
    const fibs = new Map<string, RoutingFib>();
    // Unchanged subnets first claim their Fibs, so a recompiled subnet with an equal table reuses the same object.
    const pending: { name: string; inputs: string }[] = [];
    for (let vi = 0; vi < this.net.vnets.length; vi++) {
      const vnet = this.net.vnets[vi]!;
      const peers = vnet.subnets.length > 0 ? peersOf(this.net, vi) : [];
      for (const subnet of vnet.subnets) {
        const name = `${vnet.name}/${subnet.name}`;
        const inputs = this.inputsOf(vi, subnet, peers);
        const prev = old.get(name);
        if (prev !== undefined && !isChanged(name, inputs)) {
          entries.push(prev);
          fibs.set(prev.fib.key, prev.fib);
        } else {
          entries.push(null as unknown as SubnetEntry);
          pending.push({ name, inputs });
        }
      }
    }
    let p = 0;
    for (let i = 0; i < entries.length; i++) {
      if (entries[i] !== null) continue;
      const { name, inputs } = pending[p++]!;
      const routes = effectiveRoutes(this.net, this.tags, name, this.options);
      const key = fibKey(routes);
      let fib = fibs.get(key) ?? this.fibs.get(key);
      if (fib === undefined) fib = compileFib(routes);
      fibs.set(key, fib);
      entries[i] = { name, inputs, routes, fib };
      changed.push(name);
    }
    this.entries = entries;
    this.fibs = fibs;
    this.byName = new Map(entries.map((e, i) => [e.name, i]));
    return changed;
  }

  /** Everything subnet `name`'s effective routes depend on (see update). */
  private inputsOf(vi: number, subnet: SubnetSpec, peers: VnetSpec[]): string {
    const net = this.net;
    const vnet = net.vnets[vi]!;
    const table = subnet.routeTable === undefined ? null : (net.routeTables.find((t) => t.name === subnet.routeTable) ?? subnet.routeTable);
    const endpoints = subnet.serviceEndpoints ?? [];
    // R-RT-8: a route naming a service tag depends on the tag set too.
    const tagRoutes = typeof table === 'object' && table !== null && table.routes.some((r) => isServiceTagName(r.prefix));
    const hasEndpoints = endpoints.length > 0 || tagRoutes;
    return JSON.stringify([
      vnet.name,
      vnet.addressSpace,
      vnet.gateway === undefined ? null : vnet.gateway.onPremPrefixes,
      net.onPrem.filter((o) => o.via === vnet.name).map((o) => o.prefix),
      peers.map((p) => [p.name, p.addressSpace]),
      table,
      endpoints,
      hasEndpoints ? [vnet.region, this.options.endpointPrecedence, this.tagsEpoch] : null,
    ]);
  }
}

/** Compiles the routes and FIBs of every subnet of `net`. */
export function compileRouting(net: NetworkSpec, tags: ServiceTagSet, options: ScenarioOptions = DEFAULT_OPTIONS): NetworkRouting {
  return new NetworkRouting(net, tags, options);
}
