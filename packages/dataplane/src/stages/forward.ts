// Stage: what the next hop does with the packet (R-RT-*, R-SE-1, R-SNAT-1..3, R-POL-1). Packets leave this stage
// either finished, or bound for a VM (egressVm: the inbound NSGs decide), or bound for a service resource
// (scratch.service: its firewall decides).
import { Disposition, DropReason, NextHop, NO_NEXT_HOP, RowState } from '@vnetsim/core';
import type { PacketBatch } from '../packet/batch.js';
import { ApplianceEgress, Dest, Ingress } from '../tables.js';
import { ServiceVerdict, type StageContext } from './context.js';
import { FlowHit } from './flow-lookup.js';
import { finish } from './finish.js';

export function forwardStage(b: PacketBatch, ctx: StageContext): void {
  const t = ctx.tables;
  const sc = ctx.scratch;
  const work = sc.work, dense = sc.workDense;
  for (let j = 0, n = dense ? b.count : sc.workCount; j < n; j++) {
    const i = dense ? j : work[j]!;
    if (b.disposition[i] !== RowState.Pending) continue;
    const hop = sc.nextHop[i]!;
    if (hop === NO_NEXT_HOP) continue;
    const w = i << 2;
    const d = b.family[i] === 4 ? t.destinations.lookup(b.dst[i]!) : t.destinations6.lookup(b.dst6[w]!, b.dst6[w + 1]!, b.dst6[w + 2]!, b.dst6[w + 3]!);
    sc.destination[i] = d;
    switch (hop) {
      case NextHop.VnetLocal:
      case NextHop.VNetPeering: {
        // R-SNAT-2: no translation inside the VNets.
        if (d >= 0 && d < Dest.PUBLIC_VM) b.egressVm[i] = d;
        else if (d >= Dest.PUBLIC_VM && d < Dest.SERVICE && b.ingress[i] === Ingress.EXTERNAL) b.egressVm[i] = d - Dest.PUBLIC_VM;
        else finish(b, i, Disposition.NoRoute, DropReason.UnknownDestination);
        break;
      }
      case NextHop.VirtualNetworkServiceEndpoint: {
        viaEndpoint(b, i, ctx, sc.srcSubnet[i]!, b.src[i]!, d);
        break;
      }
      case NextHop.Internet: {
        // IPv6 leaves with the VM's own address: Azure gives IPv6 no source translation pool to model here.
        if (sc.srcSubnet[i]! >= 0 && b.family[i] === 4) {
          const vm = sc.srcVm[i]!;
          const pool = vm >= 0 ? t.vmOutboundPool[vm]! : t.subnetSnatPool[sc.srcSubnet[i]!]!;
          if (!translate(b, i, ctx, pool)) break;
        }
        toInternet(b, i, ctx, d);
        break;
      }
      case NextHop.VirtualAppliance:
        viaAppliance(b, i, ctx, d);
        break;
      case NextHop.VirtualNetworkGateway: {
        const vnet = t.subnetVnet[sc.srcSubnet[i]!]!;
        // R-SNAT-3: an on-premises or private destination is delivered on-premises, untranslated.
        if (onPremises(b, i, ctx, vnet, d)) {
          finish(b, i, Disposition.ExitsNetwork, 0);
          break;
        }
        // R-RT-6, R-SNAT-3: forced through on-premises, the traffic reaches the Internet from the on-premises NAT.
        const nat = t.vnetGatewayNat[vnet]!;
        if (nat !== 0) sc.seenSrc[i] = nat;
        toInternet(b, i, ctx, d);
        break;
      }
      case NextHop.None:
        finish(b, i, Disposition.NullRouted, DropReason.NextHopNone);
        break;
    }
  }
}

/** Takes a SNAT port from `pool` for a new flow (R-SNAT-1); false when the pool is exhausted (packet finished). */
function translate(b: PacketBatch, i: number, ctx: StageContext, pool: number): boolean {
  const sc = ctx.scratch;
  const spec = ctx.tables.snatPools[pool]!;
  if (sc.flowHit[i] !== FlowHit.New) {
    // A recorded flow keeps its address (when it is one of this pool's) and port.
    const had = b.translatedSrc[i]!;
    let ip = spec.ip;
    for (let k = 1; k < spec.ips.length; k++) if (spec.ips[k] === had) ip = had;
    sc.seenSrc[i] = ip;
    b.translatedSrc[i] = ip;
    return true;
  }
  sc.snatPool[i] = pool;
  // A dry run (trace) takes no port, but tells an exhausted pool like the real packet would meet it.
  const entry = ctx.dryRun ? (ctx.snat.free(pool) > 0 ? 0 : -1) : ctx.snat.take(pool);
  if (entry < 0) {
    sc.seenSrc[i] = spec.ip;
    b.translatedSrc[i] = spec.ip;
    sc.snatPool[i] = -1;
    finish(b, i, Disposition.SnatExhausted, DropReason.SnatPortsExhausted);
    return false;
  }
  // Every address of the pool contributes ports (R-SNAT-1): the entry says which address.
  const ip = spec.ips[entry >>> 16] ?? spec.ip;
  sc.seenSrc[i] = ip;
  b.translatedSrc[i] = ip;
  if (ctx.dryRun) return true;
  const port = entry & 0xffff;
  // Recorded with the flow: if the flow is freed, its port goes back to its address of the pool (FlowTable.releasePort).
  ctx.counters.snatPortsTaken++;
  b.translatedSrcPort[i] = port;
  ctx.flows.setPort(b.flowId[i]!, pool, entry >>> 16, ip, port);
  return true;
}

/** Public Internet delivery: a modelled service, a service front end, another VM's public IP, or out. */
function toInternet(b: PacketBatch, i: number, ctx: StageContext, d: number): void {
  if (d >= Dest.PUBLIC_VM && d < Dest.SERVICE) {
    b.egressVm[i] = d - Dest.PUBLIC_VM;
    return;
  }
  if (d >= Dest.SERVICE && d < Dest.ON_PREM) {
    toService(b, i, ctx, d);
    return;
  }
  if (b.family[i] === 4 && ctx.tables.serviceSpace.lookup(b.dst[i]!) >= 0) {
    ctx.scratch.serviceVerdict[i] = ServiceVerdict.FrontEnd;
    finish(b, i, Disposition.Delivered, 0);
    return;
  }
  finish(b, i, Disposition.ExitsNetwork, 0);
}

/**
 * R-SE-1, R-SNAT-2: through `subnet`'s endpoint the private source `src` stays and the subnet's identity goes with
 * the packet. R-POL-1: with endpoint policies, only the resources they list are reachable.
 */
function viaEndpoint(b: PacketBatch, i: number, ctx: StageContext, subnet: number, src: number, d: number): void {
  const t = ctx.tables;
  ctx.scratch.endpointSubnet[i] = subnet;
  ctx.scratch.seenSrc[i] = src;
  const svc = d >= Dest.SERVICE && d < Dest.ON_PREM ? d - Dest.SERVICE : -1;
  // A Storage policy filters Storage only: an unmodelled address is refused only when it is a Storage address.
  if (svc >= 0 ? t.policyAllows[subnet * t.serviceNames.length + svc] === 0 : t.subnetHasPolicy[subnet] === 1 && isStorage(b, i, ctx)) {
    finish(b, i, Disposition.PolicyDenied, DropReason.EndpointPolicyDenied);
    return;
  }
  toService(b, i, ctx, d);
}

function isStorage(b: PacketBatch, i: number, ctx: StageContext): boolean {
  const t = ctx.tables;
  if (b.family[i] === 4) return t.storageSpace.lookup(b.dst[i]!) >= 0;
  const w = i << 2;
  return t.storageSpace6.lookup(b.dst6[w]!, b.dst6[w + 1]!, b.dst6[w + 2]!, b.dst6[w + 3]!) >= 0;
}

/**
 * R-SNAT-3: whether a destination reached through `vnet`'s gateway lies on-premises: a modelled site, a private range
 * (R-ADDR-2) that never reaches the Internet, or a prefix the gateway knows (BGP / local network gateway) other than a
 * default route. An Azure service's public address is not on-premises even when advertised: on-premises reaches it
 * from its NAT addresses (R-SE-5).
 */
export function onPremises(b: PacketBatch, i: number, ctx: StageContext, vnet: number, d: number): boolean {
  if (d >= Dest.ON_PREM) return true;
  if (b.family[i] !== 4) return false;
  const a = b.dst[i]!;
  if (isPrivateV4(a)) return true;
  if (d >= Dest.SERVICE) return false;
  const t = ctx.tables;
  const gw = t.vnetGatewayPrefixes[vnet];
  return gw !== null && gw !== undefined && gw.lookup(a) >= 0 && t.serviceSpace.lookup(a) < 0;
}

/** R-ADDR-2: 10/8, 172.16/12, 192.168/16, 100.64/10. */
export function isPrivateV4(a: number): boolean {
  const x = a >>> 0;
  return x >>> 24 === 10 || x >>> 20 === 0xac1 || x >>> 16 === 0xc0a8 || x >>> 22 === (100 << 2 | 1);
}

function toService(b: PacketBatch, i: number, ctx: StageContext, d: number): void {
  if (d >= Dest.SERVICE && d < Dest.ON_PREM) {
    ctx.scratch.service[i] = d - Dest.SERVICE;
    return;
  }
  // An address of the service's tag that no resource of the scenario holds: its front end answers.
  ctx.scratch.serviceVerdict[i] = ServiceVerdict.FrontEnd;
  finish(b, i, Disposition.Delivered, 0);
}

/** R-SNAT-3: the appliance receives the packet unchanged and forwards it to its egress, or drops it. */
function viaAppliance(b: PacketBatch, i: number, ctx: StageContext, d: number): void {
  const t = ctx.tables;
  const sc = ctx.scratch;
  const fib = t.subnetFib[sc.srcSubnet[i]!]!;
  const r0 = b.routeIndex[i]!;
  const v6 = b.family[i] !== 4;
  const h = r0 << 2;
  const a = v6
    ? t.destinations6.lookup(fib.nextHopIpV6[h]!, fib.nextHopIpV6[h + 1]!, fib.nextHopIpV6[h + 2]!, fib.nextHopIpV6[h + 3]!)
    : t.destinations.lookup(fib.nextHopIp[r0]!);
  if (a < 0 || a >= Dest.PUBLIC_VM) {
    finish(b, i, Disposition.NullRouted, DropReason.InvalidNextHop);
    return;
  }
  sc.appliance[i] = a;
  const egress = t.vmApplianceEgress[a]!;
  if (egress === ApplianceEgress.NotAppliance || egress === ApplianceEgress.Drop) {
    finish(b, i, Disposition.ApplianceDropped, DropReason.ApplianceDrop);
    return;
  }
  if (d >= 0 && d < Dest.PUBLIC_VM) {
    b.egressVm[i] = d; // the appliance forwards into the VNets
    return;
  }
  if (egress === ApplianceEgress.OnPrem) {
    const vnet = t.subnetVnet[t.vmSubnet[a]!]!;
    if (onPremises(b, i, ctx, vnet, d)) {
      finish(b, i, Disposition.ExitsNetwork, 0);
      return;
    }
    const nat = t.vnetGatewayNat[vnet]!;
    if (nat !== 0) sc.seenSrc[i] = nat;
    toInternet(b, i, ctx, d);
    return;
  }
  // The appliance sends the packet on from its own subnet, with its own address as source: its subnet's routes
  // decide, so an endpoint there carries the traffic privately with that subnet's identity (R-SE-1).
  const appSubnet = t.vmSubnet[a]!;
  const appFib = t.subnetFib[appSubnet]!;
  const w = i << 2;
  const r = v6 ? appFib.v6.lookup(b.dst6[w]!, b.dst6[w + 1]!, b.dst6[w + 2]!, b.dst6[w + 3]!) : appFib.v4.lookup(b.dst[i]!);
  if (r >= 0 && appFib.nextHop[r] === NextHop.VirtualNetworkServiceEndpoint) {
    viaEndpoint(b, i, ctx, appSubnet, t.vmPrivate[a]!, d);
    return;
  }
  const pool = t.vmAppliancePool[a]! >= 0 ? t.vmAppliancePool[a]! : t.subnetSnatPool[appSubnet]!;
  if (v6 || translate(b, i, ctx, pool)) toInternet(b, i, ctx, d);
}
