// Stage: the route of each packet, a lookup in the source subnet's compiled FIB (precedence was resolved at compile
// time: R-RT-4, R-SE-ROUTE-2). On-premises and Internet senders enter through the gateway or a public address.
import { Disposition, DropReason, NextHop, RowState } from '@vnetsim/core';
import type { PacketBatch } from '../packet/batch.js';
import { Dest, Ingress } from '../tables.js';
import type { StageContext } from './context.js';
import { FlowHit } from './flow-lookup.js';
import { finish } from './finish.js';

export function routeStage(b: PacketBatch, ctx: StageContext): void {
  const t = ctx.tables;
  const sc = ctx.scratch;
  const work = sc.work, dense = sc.workDense;
  for (let j = 0, n = dense ? b.count : sc.workCount; j < n; j++) {
    const i = dense ? j : work[j]!;
    if (b.disposition[i] !== RowState.Pending) continue;
    const subnet = sc.srcSubnet[i]!;
    if (subnet >= 0) {
      const fib = t.subnetFib[subnet]!;
      let r: number;
      if (b.family[i] === 4) r = fib.v4.lookup(b.dst[i]!);
      else {
        const w = i << 2;
        r = fib.v6.lookup(b.dst6[w]!, b.dst6[w + 1]!, b.dst6[w + 2]!, b.dst6[w + 3]!);
      }
      if (r < 0) {
        finish(b, i, Disposition.NoRoute, DropReason.NoMatchingRoute);
        continue;
      }
      b.routeIndex[i] = r;
      sc.nextHop[i] = fib.nextHop[r]!;
      continue;
    }
    if (sc.flowHit[i] !== FlowHit.New && sc.flowHit[i] !== FlowHit.Recompute) continue;
    // Senders outside the VNets: on-premises (through the gateway) and Internet hosts (to public addresses).
    const ing = b.ingress[i]!;
    const w = i << 2;
    const d = b.family[i] === 4 ? t.destinations.lookup(b.dst[i]!) : t.destinations6.lookup(b.dst6[w]!, b.dst6[w + 1]!, b.dst6[w + 2]!, b.dst6[w + 3]!);
    if (ing >= Ingress.ON_PREM) {
      if (d >= 0 && d < Dest.PUBLIC_VM) sc.nextHop[i] = NextHop.VnetLocal; // to a VM, through the gateway
      else {
        // R-SE-5: on-premises traffic never uses endpoints; it reaches Azure services from its NAT addresses.
        const via = t.onPremVia[ing - Ingress.ON_PREM]!;
        const nat = via >= 0 ? t.vnetGatewayNat[via]! : 0;
        sc.seenSrc[i] = nat !== 0 ? nat : b.src[i]!;
        sc.nextHop[i] = NextHop.Internet;
      }
    } else if (d >= Dest.PUBLIC_VM && d < Dest.SERVICE) {
      sc.nextHop[i] = NextHop.VnetLocal; // Internet host to a VM's instance public IP
    } else {
      finish(b, i, Disposition.NoRoute, DropReason.NoMatchingRoute);
    }
  }
}
