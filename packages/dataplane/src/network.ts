// The control plane of a running network: compiles a NetworkSpec into the tables the pipeline reads, applies changes
// atomically (validate a copy, recompile what it touches, swap between batches), resets connections when an
// endpoint is toggled (R-SE-2), checks permissions and tenancy (R-SE-6, R-SE-7), emits events and logs.
import { EventEmitter } from 'eventemitter3';
import { pino, type Logger } from 'pino';
import {
  Ipv4Trie,
  Ipv6Trie,
  NetworkRouting,
  compileNsgs,
  endpointScope,
  hasStoragePolicy,
  parseCidr,
  validateNetwork,
  type NetworkNsgs,
  type NetworkSpec,
  type Problem,
  type RouteSpec,
  type ScenarioOptions,
  type SecurityRuleSpec,
  type ServiceTagSet,
} from '@vnetsim/core';
import { Dataplane } from './dataplane.js';
import { FlowVerdict, type FlowTable } from './flows/flow-table.js';
import { FlowState } from './flows/tcp-state.js';
import { PacketBatch, Proto, TcpFlag } from './packet/batch.js';
import type { Counters, Scratch, SnatPorts, StageContext } from './stages/context.js';
import { compileTables, splitSubnet, type CompiledTables } from './tables.js';
import { authorize, Permission } from './control/permissions.js';

export interface NetworkOptions {
  /** Flow table capacity, a power of two (default 2^17). */
  flowCapacity?: number;
  idleTimeoutSeconds?: number;
  /** SNAT ports per public address (default 64,512, R-SNAT-1). */
  snatPortsPerIp?: number;
  /** Largest batch `process` accepts (default 4096). */
  batchCapacity?: number;
  logger?: Logger;
}

/** A control-plane error, with Azure's code where Azure has one. */
export interface ChangeError {
  code: 'AuthorizationFailed' | 'LinkedAuthorizationFailed' | 'InvalidRequest' | 'LimitExceeded' | 'NotFound';
  message: string;
}

/** What a change did: refused (error, nothing changed) or applied. */
export interface ChangeResult {
  ok: boolean;
  error: ChangeError | null;
  /** Subnets whose effective routes were recompiled. */
  changedSubnets: string[];
  /** Flows reset (R-SE-2), with what the RST carried. */
  resets: FlowResetEvent[];
}

export interface FlowResetEvent {
  flowId: number;
  subnet: string;
  service: string;
  reason: 'endpointEnabled' | 'endpointDisabled';
  protocol: number;
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  /** false for UDP/ICMP: the record was removed, nothing was sent. */
  rstSent: boolean;
}

export interface NetworkEvents {
  flowReset: (e: FlowResetEvent) => void;
  routesChanged: (e: { subnets: string[] }) => void;
  endpointToggled: (e: { subnet: string; service: string; enabled: boolean; resets: number }) => void;
  ruleChanged: (e: { nsg: string; rule: string; removed: boolean }) => void;
  serviceChanged: (e: { service: string; change: string }) => void;
}

/** Thrown by the constructor for a network that does not validate. */
export class NetworkInvalidError extends Error {
  override readonly name = 'NetworkInvalidError';
  constructor(readonly problems: Problem[]) {
    super(`the network is invalid:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }
}

/** The logger of a Network given none: made on first use, so importing the package creates no logger. */
let silent: Logger | undefined;
const silentLogger = (): Logger => (silent ??= pino({ level: 'silent' }));

/** The control plane's compile of a spec: routing, NSGs and the tables the pipeline reads. */
export interface CompiledNetwork {
  routing: NetworkRouting;
  nsgs: NetworkNsgs;
  tables: CompiledTables;
}

/** Validates and compiles `spec` (NetworkInvalidError when it does not validate); `spec` is kept, not copied. */
export function compileNetwork(spec: NetworkSpec, tags: ServiceTagSet, options: ScenarioOptions = { endpointPrecedence: 'override' }): CompiledNetwork {
  const problems = validateNetwork(spec, tags);
  if (problems.length > 0) throw new NetworkInvalidError(problems);
  const routing = new NetworkRouting(spec, tags, options);
  const nsgs = compileNsgs(spec, tags);
  return { routing, nsgs, tables: compileTables(spec, tags, routing, nsgs, options) };
}

export class Network extends EventEmitter<NetworkEvents> {
  readonly tags: ServiceTagSet;
  readonly options: ScenarioOptions;
  readonly flows: FlowTable;
  readonly counters: Counters;
  /** Counters of the last dry run only. */
  readonly dryRunCounters: Counters;
  readonly snat: SnatPorts;
  readonly log: Logger;
  /** The packet side: tables, flow table, ports, counters, scratch (what a pipeline worker has too). */
  readonly dataplane: Dataplane;
  private specNow: NetworkSpec;
  private routingNow: NetworkRouting;
  private nsgsNow: NetworkNsgs;
  private readonly ids: Int32Array;

  constructor(spec: NetworkSpec, tags: ServiceTagSet, options: ScenarioOptions = { endpointPrecedence: 'override' }, opts: NetworkOptions = {}) {
    super();
    this.tags = tags;
    this.options = options;
    this.log = opts.logger ?? silentLogger();
    this.specNow = structuredClone(spec);
    const compiled = compileNetwork(this.specNow, tags, options);
    this.routingNow = compiled.routing;
    this.nsgsNow = compiled.nsgs;
    this.dataplane = new Dataplane(compiled.tables, opts);
    const dp = this.dataplane;
    this.flows = dp.flows;
    this.counters = dp.counters;
    this.dryRunCounters = dp.dryRunCounters;
    this.snat = dp.snat;
    this.ids = new Int32Array(dp.flows.capacity);
  }

  get spec(): NetworkSpec {
    return this.specNow;
  }
  get tables(): CompiledTables {
    return this.dataplane.tables;
  }
  get routing(): NetworkRouting {
    return this.routingNow;
  }
  get nsgs(): NetworkNsgs {
    return this.nsgsNow;
  }
  /** Scratch columns of the last batch processed (trace, runner). */
  get scratch(): Scratch {
    return this.dataplane.scratch;
  }

  /** A batch sized for this network's pipeline. */
  newBatch(capacity?: number): PacketBatch {
    return this.dataplane.newBatch(capacity);
  }

  /**
   * Runs a batch through the pipeline; counters accumulate. `dryRun` (trace, what-if): no flow recorded, no port
   * taken, and the network's counters untouched (the batch is counted apart, in `dryRunCounters`).
   */
  process(batch: PacketBatch, dryRun = false): void {
    this.dataplane.process(batch, dryRun);
  }

  /** The stage context over the current tables (rebuilt after each change: the swap happens between batches). */
  context(dryRun = false, counters: Counters = this.counters): StageContext {
    return this.dataplane.context(dryRun, counters);
  }

  private releasePort(id: number): void {
    this.dataplane.releasePort(id);
  }

  // ---- changes ----

  enableServiceEndpoint(subnet: string, service: string, as?: string, locations?: string[]): ChangeResult {
    return this.toggleEndpoint(subnet, service, true, as, locations);
  }

  disableServiceEndpoint(subnet: string, service: string, as?: string): ChangeResult {
    return this.toggleEndpoint(subnet, service, false, as);
  }

  private toggleEndpoint(subnetName: string, service: string, enable: boolean, as?: string, locations?: string[]): ChangeResult {
    const denied = authorize(this.specNow, as, [Permission.SubnetWrite]);
    if (denied !== null) return this.refuse('AuthorizationFailed', `${enable ? 'enabling' : 'disabling'} ${service} on ${subnetName}: ${denied} (R-SE-7)`);
    const found = this.findSubnet(this.specNow, subnetName);
    if (found === null) return this.refuse('NotFound', `no subnet "${subnetName}"`);
    const { vnet } = found;
    if (vnet.deploymentModel === 'Classic')
      return this.refuse('InvalidRequest', `${vnetLabel(vnet.name)} is a Classic VNet: service endpoints need Resource Manager VNets (R-SE-6)`);
    const before = found.subnet.serviceEndpoints.find((e) => e.service === service);
    if (enable === (before !== undefined)) return { ok: true, error: null, changedSubnets: [], resets: [] }; // nothing to do
    // R-SE-2: the connections to reset are those covered by the endpoint's routes (R-SE-REGION), on or off.
    const scopeLocations = enable ? locations : before?.locations;
    let scope: { v4: string[]; v6: string[] };
    try {
      scope = endpointScope(this.tags, service, vnet.region, scopeLocations, hasStoragePolicy(this.specNow, found.subnet));
    } catch (e) {
      return this.refuse('InvalidRequest', (e as Error).message);
    }
    const result = this.apply(`${enable ? 'enable' : 'disable'} ${service} on ${subnetName}`, (next) => {
      const s = this.findSubnet(next, subnetName)!.subnet;
      if (enable) s.serviceEndpoints.push(locations === undefined ? { service } : { service, locations });
      else s.serviceEndpoints = s.serviceEndpoints.filter((e) => e.service !== service);
    });
    if (!result.ok) return result;
    const resets = this.resetFlows(subnetName, service, [...scope.v4, ...scope.v6], enable ? 'endpointEnabled' : 'endpointDisabled');
    result.resets = resets;
    this.emit('endpointToggled', { subnet: subnetName, service, enabled: enable, resets: resets.length });
    this.log.info({ subnet: subnetName, service, enabled: enable, resets: resets.length }, 'service endpoint toggled');
    return result;
  }

  /**
   * The connections toggling `service` on `subnetName` would reset (R-SE-2), without changing anything: what-if asks
   * this of the network as the steps left it. Empty when the toggle would do nothing or be refused.
   */
  previewEndpointResets(subnetName: string, service: string, enable: boolean, locations?: string[]): FlowResetEvent[] {
    const found = this.findSubnet(this.specNow, subnetName);
    if (found === null) return [];
    const before = found.subnet.serviceEndpoints.find((e) => e.service === service);
    if (enable === (before !== undefined)) return [];
    let scope: { v4: string[]; v6: string[] };
    try {
      scope = endpointScope(this.tags, service, found.vnet.region, enable ? locations : before?.locations);
    } catch {
      return [];
    }
    const reason = enable ? 'endpointEnabled' : 'endpointDisabled';
    return Array.from(this.flowsToReset(subnetName, [...scope.v4, ...scope.v6])).flatMap((id): FlowResetEvent[] => {
      const f = this.flows;
      if (f.state[id] === FlowState.Closed) return [];
      return [{ flowId: id, subnet: subnetName, service, reason, protocol: f.proto[id]!, src: f.src[id]!, dst: f.dst[id]!, srcPort: f.srcPort[id]!, dstPort: f.dstPort[id]!, rstSent: f.proto[id] === Proto.Tcp } satisfies FlowResetEvent];
    });
  }

  /** Flow ids of the subnet's flows (both families) to any of `prefixes`. */
  private flowsToReset(subnetName: string, prefixes: string[]): Int32Array {
    const subnet = this.routingNow.subnetIndex(subnetName);
    const trie = new Ipv4Trie();
    const trie6 = new Ipv6Trie();
    for (const p of prefixes) {
      const c = parseCidr(p);
      if (c.family === 4) trie.insert(c.prefix, c.length, 0);
      else trie6.insert(c.words, c.length, 0);
    }
    // IPv4 and IPv6 connections alike (the endpoint's routes cover both families).
    const n4 = this.flows.findBySubnetAndDst(subnet, trie.compile(), this.ids);
    const n = n4 + this.flows.findBySubnetAndDst6(subnet, trie6.compile(), this.ids.subarray(n4));
    return this.ids.subarray(0, n);
  }

  /** R-SE-2: TCP flows of the subnet to the endpoint's prefixes get a RST both ways; other flows lose their record. */
  private resetFlows(subnetName: string, service: string, prefixes: string[], reason: FlowResetEvent['reason']): FlowResetEvent[] {
    const ids = this.flowsToReset(subnetName, prefixes);
    const n = ids.length;
    const out: FlowResetEvent[] = [];
    // Decided once per toggle, not per flow (100k resets must stay well under 50 ms).
    const emit = this.listenerCount('flowReset') > 0;
    const log = this.log.isLevelEnabled('info');
    for (let k = 0; k < n; k++) {
      const id = ids[k]!;
      const f = this.flows;
      // A connection already closed by FIN/RST has nothing left to reset: its record just goes.
      if (f.state[id] === FlowState.Closed) {
        f.remove(id);
        continue;
      }
      const e: FlowResetEvent = {
        flowId: id,
        subnet: subnetName,
        service,
        reason,
        protocol: f.proto[id]!,
        src: f.src[id]!,
        dst: f.dst[id]!,
        srcPort: f.srcPort[id]!,
        dstPort: f.dstPort[id]!,
        rstSent: f.proto[id] === Proto.Tcp,
      };
      // The port goes back to the pool now; the tombstone keeps the 5-tuple so later packets end as FlowReset.
      if (e.rstSent) this.releasePort(id);
      f.markReset(id);
      out.push(e);
      if (emit) this.emit('flowReset', e);
      if (log) this.log.info({ flowId: id, subnet: subnetName, service, reason }, 'flow reset');
    }
    return out;
  }

  addVirtualNetworkRule(serviceName: string, subnetName: string, as?: string): ChangeResult {
    const svc = this.specNow.services.find((s) => s.name === serviceName);
    if (svc === undefined) return this.refuse('NotFound', `no service "${serviceName}"`);
    const found = this.findSubnet(this.specNow, subnetName);
    if (found === null) return this.refuse('NotFound', `no subnet "${subnetName}"`);
    // R-SE-7: linking a resource to a subnet needs the join permission on the subnet.
    const denied = authorize(this.specNow, as, [Permission.JoinViaServiceEndpoint, Permission.JoinServicetoaSubnet]);
    if (denied !== null) return this.refuse('AuthorizationFailed', `adding ${subnetName} to ${serviceName}: ${denied} (R-SE-7)`);
    // R-SE-6: the VNet and the resource may be in different subscriptions of one tenant, never in different tenants.
    if (found.vnet.tenant !== svc.tenant)
      return this.refuse('LinkedAuthorizationFailed', `${subnetName} is in tenant "${found.vnet.tenant}", ${serviceName} in "${svc.tenant}": cross-tenant links are refused (R-SE-6)`);
    if (found.vnet.deploymentModel === 'Classic')
      return this.refuse('InvalidRequest', `${vnetLabel(found.vnet.name)} is a Classic VNet (R-SE-6)`);
    if (svc.firewall.virtualNetworkRules.includes(subnetName)) return { ok: true, error: null, changedSubnets: [], resets: [] };
    return this.serviceChange(serviceName, `add virtual network rule ${subnetName}`, (s) => s.firewall.virtualNetworkRules.push(subnetName));
  }

  removeVirtualNetworkRule(serviceName: string, subnetName: string, as?: string): ChangeResult {
    const denied = authorize(this.specNow, as, [Permission.JoinViaServiceEndpoint, Permission.JoinServicetoaSubnet, Permission.StorageWrite]);
    if (denied !== null) return this.refuse('AuthorizationFailed', denied);
    return this.serviceChange(serviceName, `remove virtual network rule ${subnetName}`, (s) => {
      s.firewall.virtualNetworkRules = s.firewall.virtualNetworkRules.filter((x) => x !== subnetName);
    });
  }

  addIpRule(serviceName: string, ip: string, as?: string): ChangeResult {
    const denied = authorize(this.specNow, as, [Permission.StorageWrite, 'Microsoft.Sql/servers/firewallRules/write']);
    if (denied !== null) return this.refuse('AuthorizationFailed', denied);
    return this.serviceChange(serviceName, `add IP rule ${ip}`, (s) => {
      if (!s.firewall.ipRules.includes(ip)) s.firewall.ipRules.push(ip);
    });
  }

  removeIpRule(serviceName: string, ip: string, as?: string): ChangeResult {
    const denied = authorize(this.specNow, as, [Permission.StorageWrite, 'Microsoft.Sql/servers/firewallRules/write']);
    if (denied !== null) return this.refuse('AuthorizationFailed', denied);
    return this.serviceChange(serviceName, `remove IP rule ${ip}`, (s) => {
      s.firewall.ipRules = s.firewall.ipRules.filter((x) => x !== ip);
    });
  }

  private serviceChange(serviceName: string, what: string, edit: (s: NetworkSpec['services'][number]) => void): ChangeResult {
    if (!this.specNow.services.some((s) => s.name === serviceName)) return this.refuse('NotFound', `no service "${serviceName}"`);
    const r = this.apply(`${serviceName}: ${what}`, (next) => edit(next.services.find((s) => s.name === serviceName)!));
    if (!r.ok) return r;
    // Firewall changes apply to the next request: recorded flows to the service forward again.
    const idx = this.tables.serviceNames.indexOf(serviceName);
    this.flows.scan((id) => {
      if (this.flows.service[id] === idx) this.flows.invalidate(id);
    });
    this.emit('serviceChanged', { service: serviceName, change: what });
    return r;
  }

  setRule(nsgName: string, rule: SecurityRuleSpec, as?: string): ChangeResult {
    const denied = authorize(this.specNow, as, [Permission.NsgWrite]);
    if (denied !== null) return this.refuse('AuthorizationFailed', denied);
    if (!this.specNow.nsgs.some((n) => n.name === nsgName)) return this.refuse('NotFound', `no NSG "${nsgName}"`);
    const r = this.apply(`set rule ${rule.name} in ${nsgName}`, (next) => {
      const nsg = next.nsgs.find((n) => n.name === nsgName)!;
      const i = nsg.rules.findIndex((x) => x.name === rule.name);
      if (i >= 0) nsg.rules[i] = structuredClone(rule);
      else nsg.rules.push(structuredClone(rule));
    });
    if (r.ok) this.afterRuleChange(nsgName, rule.name, false);
    return r;
  }

  removeRule(nsgName: string, ruleName: string, as?: string): ChangeResult {
    const denied = authorize(this.specNow, as, [Permission.NsgWrite]);
    if (denied !== null) return this.refuse('AuthorizationFailed', denied);
    const nsg = this.specNow.nsgs.find((n) => n.name === nsgName);
    if (nsg === undefined) return this.refuse('NotFound', `no NSG "${nsgName}"`);
    if (!nsg.rules.some((x) => x.name === ruleName))
      return this.refuse('NotFound', `NSG "${nsgName}" has no rule "${ruleName}" (default rules cannot be removed, R-NSG-3)`);
    const r = this.apply(`remove rule ${ruleName} from ${nsgName}`, (next) => {
      const n = next.nsgs.find((x) => x.name === nsgName)!;
      n.rules = n.rules.filter((x) => x.name !== ruleName);
    });
    if (r.ok) this.afterRuleChange(nsgName, ruleName, true);
    return r;
  }

  /** R-NSG-5: a rule change affects new flows only; denied attempts were never connections, so they go. */
  private afterRuleChange(nsg: string, rule: string, removed: boolean): void {
    this.flows.scan((id) => {
      if (this.flows.verdict[id] === FlowVerdict.Deny) this.flows.remove(id);
    });
    this.emit('ruleChanged', { nsg, rule, removed });
  }

  setRoute(tableName: string, route: RouteSpec, as?: string): ChangeResult {
    const denied = authorize(this.specNow, as, [Permission.RouteWrite]);
    if (denied !== null) return this.refuse('AuthorizationFailed', denied);
    if (!this.specNow.routeTables.some((t) => t.name === tableName)) return this.refuse('NotFound', `no route table "${tableName}"`);
    return this.apply(`set route ${route.name} in ${tableName}`, (next) => {
      const t = next.routeTables.find((x) => x.name === tableName)!;
      const i = t.routes.findIndex((x) => x.name === route.name);
      if (i >= 0) t.routes[i] = structuredClone(route);
      else t.routes.push(structuredClone(route));
    });
  }

  removeRoute(tableName: string, routeName: string, as?: string): ChangeResult {
    const denied = authorize(this.specNow, as, [Permission.RouteWrite]);
    if (denied !== null) return this.refuse('AuthorizationFailed', denied);
    const t = this.specNow.routeTables.find((x) => x.name === tableName);
    if (t === undefined) return this.refuse('NotFound', `no route table "${tableName}"`);
    if (!t.routes.some((r) => r.name === routeName)) return this.refuse('NotFound', `route table "${tableName}" has no route "${routeName}"`);
    return this.apply(`remove route ${routeName} from ${tableName}`, (next) => {
      const x = next.routeTables.find((y) => y.name === tableName)!;
      x.routes = x.routes.filter((r) => r.name !== routeName);
    });
  }

  /**
   * Applies `edit` to a copy of the spec; refuses (changing nothing) when the copy does not validate; else recompiles
   * what changed and swaps the tables. Flows of subnets whose routes changed forward again on their next packet.
   */
  private apply(what: string, edit: (next: NetworkSpec) => void): ChangeResult {
    const next = structuredClone(this.specNow);
    edit(next);
    const problems = validateNetwork(next, this.tags);
    if (problems.length > 0) {
      // A count over a documented limit refuses the change as LimitExceeded (the problem's code says which).
      const limit = problems.some((p) => p.code === 'LimitExceeded');
      return this.refuse(limit ? 'LimitExceeded' : 'InvalidRequest', problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    }
    // Routing and NSGs update in place: if anything throws before the swap, both go back to the current spec, so a
    // change is applied whole or not at all (issue 7).
    let changed: string[];
    let tables: CompiledTables;
    try {
      changed = this.routingNow.update(next, this.tags, this.options);
      this.nsgsNow.update(next, this.tags);
      tables = compileTables(next, this.tags, this.routingNow, this.nsgsNow, this.options);
    } catch (e) {
      this.routingNow.update(this.specNow, this.tags, this.options);
      this.nsgsNow.update(this.specNow, this.tags);
      return this.refuse('InvalidRequest', `${what}: ${(e as Error).message}`);
    }
    this.specNow = next;
    this.dataplane.tables = tables; // pools of new public addresses get their ports
    if (changed.length > 0) {
      const idx = new Set(changed.map((s) => this.routingNow.subnetIndex(s)));
      this.flows.scan((id) => {
        // R-NSG-5: only the route is recomputed; a flow the NSGs denied keeps its verdict.
        if (idx.has(this.flows.subnet[id]!) && this.flows.verdict[id] !== FlowVerdict.Deny) this.flows.invalidate(id);
      });
      this.emit('routesChanged', { subnets: changed });
    }
    this.log.info({ change: what, changedSubnets: changed }, 'control-plane change');
    return { ok: true, error: null, changedSubnets: changed, resets: [] };
  }

  private refuse(code: ChangeError['code'], message: string): ChangeResult {
    this.log.warn({ code, message }, 'control-plane change refused');
    return { ok: false, error: { code, message }, changedSubnets: [], resets: [] };
  }

  private findSubnet(net: NetworkSpec, name: string) {
    const [vn, sn] = splitSubnet(name);
    const vnet = net.vnets.find((v) => v.name === vn);
    const subnet = vnet?.subnets.find((s) => s.name === sn);
    return vnet === undefined || subnet === undefined ? null : { vnet, subnet };
  }

  /** R-SE-4: DNS is unchanged by endpoints: a host name resolves to the service's public address. */
  resolve(hostname: string): string | null {
    const h = hostname.toLowerCase();
    return this.specNow.services.find((s) => s.hostname?.toLowerCase() === h)?.address ?? null;
  }
}

function vnetLabel(name: string): string {
  return `VNet "${name}"`;
}

export { TcpFlag };
