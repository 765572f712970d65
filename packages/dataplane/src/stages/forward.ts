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
        if (d >= Dest.ON_PREM) {
          finish(b, i, Disposition.ExitsNetwork, 0);
          break;
        }
        // R-RT-6, R-SNAT-3: forced through on-premises, the traffic reaches the Internet from the on-premises NAT.
        const nat = t.vnetGatewayNat[t.subnetVnet[sc.srcSubnet[i]!]!]!;
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
  const ip = ctx.tables.snatPools[pool]!.ip;
  sc.seenSrc[i] = ip;
  b.translatedSrc[i] = ip;
  if (sc.flowHit[i] !== FlowHit.New) return true; // a recorded flow keeps its port
  sc.snatPool[i] = pool;
  // A dry run (trace) takes no port, but tells an exhausted pool like the real packet would meet it.
  const port = ctx.dryRun ? (ctx.snat.free(pool) > 0 ? 0 : -1) : ctx.snat.take(pool);
  if (port < 0) {
    sc.snatPool[i] = -1;
    finish(b, i, Disposition.SnatExhausted, DropReason.SnatPortsExhausted);
    return false;
  }
  if (ctx.dryRun) return true;
  // Recorded with the flow: if the flow is freed, its port goes back (FlowTable.releasePort).
  ctx.counters.snatPortsTaken++;
  b.translatedSrcPort[i] = port;
  ctx.flows.setPort(b.flowId[i]!, pool, port);
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
  if (svc >= 0 ? t.policyAllows[subnet * t.serviceNames.length + svc] === 0 : t.subnetHasPolicy[subnet] === 1) {
    finish(b, i, Disposition.PolicyDenied, DropReason.EndpointPolicyDenied);
    return;
  }
  toService(b, i, ctx, d);
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
    if (d >= Dest.ON_PREM) {
      finish(b, i, Disposition.ExitsNetwork, 0);
      return;
    }
    const nat = t.vnetGatewayNat[t.subnetVnet[t.vmSubnet[a]!]!]!;
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
