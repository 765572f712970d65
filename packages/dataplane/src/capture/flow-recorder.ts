// Flow logs of a run as Azure writes them, recorded as flows happen: a flow begins when the pipeline creates it
// (after the batch, from the NSG levels it evaluated: NIC and subnet, outbound at the source VM, inbound at the
// destination VM, SEMANTICS.md R-NSG-4), continues every five minutes while open, and ends when it closes (FIN, RST),
// is reset by an endpoint toggle (R-SE-2), expires or is evicted (the flow table's onFree hook). Per NSG that decided
// the flow, NSG flow logs v2 get `B` (denied: `D` decision), `C` and `E` tuples with the packet and byte counters since
// the last tuple; VNet flow logs v4 get `B`/`C`/`E`, or one `D` for a denied flow.
//
// Cost: nothing when no flow log is asked for. Otherwise per batch one pass over its rows reading typed arrays (no
// allocation per packet); objects and strings only per flow and per NSG decision.
import { Disposition, formatIpv4, formatIpv6, type NsgClassifier } from '@vnetsim/core';
import type { FlowTable } from '../flows/flow-table.js';
import { FlowState } from '../flows/tcp-state.js';
import { Proto, type PacketBatch } from '../packet/batch.js';
import type { Scratch } from '../stages/context.js';
import type { CompiledTables } from '../tables.js';
import type { Network } from '../network.js';
import { flowLogRuleName, type FlowLogWriter } from './flowlog.js';
import type { CaptureClock } from './packet-capture.js';
import { guidOf, type VnetFlowLogWriter } from './vnet-flowlog.js';

/** Azure writes a C tuple for an open flow every five minutes. */
export const CONTINUING_INTERVAL_SECONDS = 300;

/** What is the same for every flow an NSG rule decides at one NIC (computed once, then shared). */
interface DecisionBase {
  nsgId: string;
  aclId: string;
  rule: string;
  allow: boolean;
  direction: 'I' | 'O';
  mac: string;
  vnetId: string;
  flowLogId: string;
  flowLogGuid: string;
}

interface Decision extends DecisionBase {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
}

interface Tracked {
  decisions: Decision[];
  proto: number;
  /** Unix seconds of the last tuple with counters (B counts as one). */
  lastReport: number;
  /** Counters already logged: packets and bytes forward, packets and bytes reverse. */
  logged: [number, number, number, number];
}

export interface FlowRecorderWriters {
  nsg?: FlowLogWriter;
  vnet?: VnetFlowLogWriter;
}

/** Where a VM lives, for resource ids: its VNet's subscription, resource group and region. */
interface VmPlace {
  mac: string;
  subscription: string;
  resourceGroup: string;
  vnet: string;
  region: string;
}

export class FlowRecorder {
  private net: Network | null = null;
  /** Open flows by id (insertion order: deterministic), and a flag per id for the per-row check. */
  private readonly recs = new Map<number, Tracked>();
  private isTracked = new Uint8Array(0);
  private now = 0;
  private minute = -1;
  private places: VmPlace[] = [];
  private subnetPlaces: Array<Omit<VmPlace, 'mac'>> = [];
  private readonly bases = new Map<string, DecisionBase>();

  constructor(
    readonly writers: FlowRecorderWriters,
    readonly clock: CaptureClock,
  ) {}

  /** Starts recording a scenario's network (its flow table's frees end flows). */
  begin(net: Network): void {
    this.net = net;
    this.recs.clear();
    this.bases.clear();
    this.isTracked = new Uint8Array(net.flows.capacity);
    this.now = this.clock.unix(0);
    this.minute = Math.floor(this.now / 60);
    const vnets = new Map(net.spec.vnets.map((v) => [v.name, v]));
    const placeOf = (vnetName: string) => {
      const vnet = vnets.get(vnetName);
      return {
        subscription: vnet?.subscription ?? 'default',
        resourceGroup: vnet?.resourceGroup ?? 'default',
        vnet: vnet?.name ?? vnetName,
        region: vnet?.region ?? 'unknown',
      };
    };
    this.places = net.tables.vmNames.map((name, vm) => {
      const spec = net.spec.vms.find((v) => v.name === name);
      return { mac: macOf(vm), ...placeOf(spec?.subnet.split('/')[0] ?? '') };
    });
    this.subnetPlaces = net.tables.subnetNames.map((name) => placeOf(name.split('/')[0] ?? ''));
    net.flows.onFree = (id) => this.end(id, Math.min(this.now, this.clock.unix(net.flows.lastSeen[id]! + net.flows.idleTimeout)));
  }

  /** After a batch ran: flows it created begin, flows it closed end, and minute boundaries write C tuples. */
  batch(b: PacketBatch, sc: Scratch, tables: CompiledTables, flows: FlowTable): void {
    for (let i = 0; i < b.count; i++) {
      const id = b.flowId[i]!;
      if (id < 0) continue;
      const t = this.clock.unix(b.time[i]!);
      if (t > this.now) this.now = t;
      if (sc.flowHit[i] === 0 && b.disposition[i] !== Disposition.FlowReset && this.isTracked[id] === 0) this.start(b, i, sc, tables, flows, id, t);
      const st = flows.state[id]!;
      if ((st === FlowState.Closed || st === FlowState.Reset) && this.isTracked[id] === 1) this.end(id, t);
    }
    this.tick();
  }

  /** The scenario clock moved to `clock` (advanceTime), before flows expire. */
  advance(clock: number): void {
    const t = this.clock.unix(clock);
    if (t > this.now) this.now = t;
    this.tick();
  }

  /** R-SE-2: flows reset by an endpoint toggle at simulated time `at` end there. */
  resets(ids: readonly number[], at: number): void {
    const t = this.clock.unix(at);
    if (t > this.now) this.now = t;
    for (const id of ids) this.end(id, t);
  }

  /** The scenario ended at `clock`: flows still open write a C tuple with what they did since their last one. */
  finish(clock: number): void {
    const net = this.net;
    if (net === null) return;
    const t = Math.max(this.now, this.clock.unix(clock));
    for (const id of [...this.recs.keys()]) this.report(id, t, 'C', true);
    net.flows.onFree = null;
    this.net = null;
  }

  private tick(): void {
    const m = Math.floor(this.now / 60);
    if (m === this.minute) return;
    this.minute = m;
    if (this.recs.size === 0) return;
    const f = this.net!.flows;
    for (const [id, r] of this.recs) {
      // A flow idle past its timeout by now is about to expire: it ends (E) instead of continuing.
      if (this.now - r.lastReport >= CONTINUING_INTERVAL_SECONDS && this.clock.unix(f.lastSeen[id]! + f.idleTimeout) > this.now)
        this.report(id, this.now, 'C', false);
    }
  }

  private start(b: PacketBatch, i: number, sc: Scratch, t: CompiledTables, flows: FlowTable, id: number, time: number): void {
    const decisions: Decision[] = [];
    const v4 = b.family[i] === 4;
    const src = v4 ? formatIpv4(b.src[i]!) : formatIpv6(b.src6.subarray(i << 2, (i << 2) + 4));
    const dst = v4 ? formatIpv4(b.dst[i]!) : formatIpv6(b.dst6.subarray(i << 2, (i << 2) + 4));
    const srcVm = sc.srcVm[i]!, dstVm = b.egressVm[i]!, srcSub = sc.srcSubnet[i]!;
    // Traffic from a subnet's other addresses (not a VM) has a synthetic NIC per address: 00-0D-3A-8x-xx-xx.
    const from = srcVm >= 0 ? this.places[srcVm]! : srcSub >= 0
      ? { ...this.subnetPlaces[srcSub]!, mac: `000D3A${(0x800000 | ((v4 ? b.src[i]! : b.src6[(i << 2) + 3]!) & 0x7fffff)).toString(16).toUpperCase()}` }
      : null;
    const out = (c: NsgClassifier | null | undefined, r: number) => {
      if (c && r >= 0 && from !== null) decisions.push(this.decision(c, r, from, 'O', src, dst, b.srcPort[i]!, b.dstPort[i]!));
    };
    out(srcVm >= 0 ? t.vmNicOut[srcVm] : null, sc.ruleNicOut[i]!);
    out(sc.srcSubnet[i]! >= 0 ? t.subnetNsgOut[sc.srcSubnet[i]!] : null, sc.ruleSubnetOut[i]!);
    if (dstVm >= 0) {
      // R-NSG-8: inbound rules see the translated source (if any) and the VM's private address.
      const seen = sc.seenSrc[i]! !== 0 && v4 ? formatIpv4(sc.seenSrc[i]!) : src;
      const seenPort = b.translatedSrc[i] !== 0 ? b.translatedSrcPort[i]! : b.srcPort[i]!;
      const to = v4 ? formatIpv4(t.vmPrivate[dstVm]!) : dst;
      const inb = (c: NsgClassifier | null | undefined, r: number) => {
        if (c && r >= 0) decisions.push(this.decision(c, r, this.places[dstVm]!, 'I', seen, to, seenPort, b.dstPort[i]!));
      };
      inb(t.subnetNsgIn[t.vmSubnet[dstVm]!], sc.ruleSubnetIn[i]!);
      inb(t.vmNicIn[dstVm], sc.ruleNicIn[i]!);
    }
    if (decisions.length === 0) return; // no NSG decided it: NSG and VNet flow logs of vnetsim log per NSG
    const proto = b.proto[i]!;
    const rec: Tracked = { decisions, proto, lastReport: time, logged: [0, 0, 0, 0] };
    this.recs.set(id, rec);
    this.isTracked[id] = 1;
    for (const d of decisions) this.emit(d, proto, time, d.allow ? 'B' : 'D', [0, 0, 0, 0]);
    // A flow whose first packet already closed or reset it (an RST) ends in the same batch: see batch().
    void flows;
  }

  private decision(c: NsgClassifier, r: number, p: VmPlace, direction: 'I' | 'O', src: string, dst: string, srcPort: number, dstPort: number): Decision {
    const key = `${c.nsg}\u0000${c.direction}\u0000${r}\u0000${p.mac}\u0000${p.subscription}\u0000${p.resourceGroup}\u0000${p.vnet}`;
    let base = this.bases.get(key);
    if (base === undefined) {
      const rg = `/subscriptions/${p.subscription}/resourceGroups/${p.resourceGroup}/providers/Microsoft.Network`;
      const nsgId = `${rg}/networkSecurityGroups/${c.nsg}`;
      const flowLogId = `/subscriptions/${p.subscription}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_${p.region}/flowLogs/${p.vnet}-flowlog`;
      base = {
        nsgId, aclId: guidOf(nsgId.toLowerCase()), rule: flowLogRuleName(c.rules[r]!.name), allow: c.allow[r] === 1, direction,
        mac: p.mac, vnetId: `${rg}/virtualNetworks/${p.vnet}`, flowLogId, flowLogGuid: guidOf(flowLogId.toLowerCase()),
      };
      this.bases.set(key, base);
    }
    return { ...base, src, dst, srcPort, dstPort };
  }

  /** Ends flow `id` at `time` (E tuples with the counters since the last tuple); no-op when not tracked. */
  private end(id: number, time: number): void {
    if (this.isTracked[id] !== 1) return;
    this.report(id, time, 'E', true);
  }

  private report(id: number, time: number, state: 'C' | 'E', remove: boolean): void {
    const r = this.recs.get(id)!;
    const f = this.net!.flows;
    const cur: [number, number, number, number] = [f.packetsFwd[id]!, f.bytesFwd[id]!, f.packetsRev[id]!, f.bytesRev[id]!];
    const delta: [number, number, number, number] = [cur[0] - r.logged[0], cur[1] - r.logged[1], cur[2] - r.logged[2], cur[3] - r.logged[3]];
    // A C tuple says something only when packets passed; an E tuple always closes the flow.
    if (state === 'E' || delta[0] + delta[2] > 0) for (const d of r.decisions) if (d.allow) this.emit(d, r.proto, time, state, delta);
    r.logged = cur;
    r.lastReport = time;
    if (remove) {
      this.recs.delete(id);
      this.isTracked[id] = 0;
    }
  }

  private emit(d: Decision, proto: number, time: number, state: 'B' | 'C' | 'E' | 'D', c: [number, number, number, number]): void {
    const nsg = this.writers.nsg;
    // NSG flow logs v2 hold TCP and UDP only; a denied flow is a B tuple with decision D and no counters.
    if (nsg !== undefined && (proto === Proto.Tcp || proto === Proto.Udp)) {
      const counted = state === 'C' || state === 'E';
      nsg.add({
        nsgId: d.nsgId, rule: d.rule, mac: d.mac, time, src: d.src, dst: d.dst, srcPort: d.srcPort, dstPort: d.dstPort,
        protocol: proto === Proto.Tcp ? 'T' : 'U', direction: d.direction, decision: d.allow ? 'A' : 'D',
        state: state === 'D' ? 'B' : state,
        ...(counted ? { packetsSrcToDst: c[0], bytesSrcToDst: c[1], packetsDstToSrc: c[2], bytesDstToSrc: c[3] } : {}),
      });
    }
    this.writers.vnet?.add({
      targetResourceId: d.vnetId, flowLogResourceId: d.flowLogId, flowLogGuid: d.flowLogGuid, aclId: d.aclId,
      rule: d.rule, mac: d.mac, time: Math.floor(time * 1000), src: d.src, dst: d.dst, srcPort: d.srcPort, dstPort: d.dstPort,
      protocol: proto, direction: d.direction, state, encryption: 'NX', packetsSrcToDst: c[0], bytesSrcToDst: c[1],
      packetsDstToSrc: c[2], bytesDstToSrc: c[3],
    });
  }
}

/** A stable, clearly synthetic MAC per VM (Azure's 00-0D-3A prefix). */
export function macOf(vm: number): string {
  return `000D3A${(vm + 1).toString(16).toUpperCase().padStart(6, '0')}`;
}
