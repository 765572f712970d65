// Stage: the service resource's own firewall (R-SVC-1, R-SE-3): defaultAction, virtual-network rules for traffic that
// came through an endpoint, IP rules for public sources. IP rules never match endpoint traffic: its source is private.
import { Disposition, DropReason, NextHop, RowState } from '@vnetsim/core';
import type { PacketBatch } from '../packet/batch.js';
import { ApplianceEgress, type CompiledTables } from '../tables.js';
import { ServiceVerdict, type Scratch, type StageContext } from './context.js';
import { finish } from './finish.js';

export function serviceStage(b: PacketBatch, ctx: StageContext): void {
  const t = ctx.tables;
  const sc = ctx.scratch;
  const nSub = t.subnetNames.length;
  const internal = t.storageSameRegionSource === 'azureInternal';
  const work = sc.work, dense = sc.workDense;
  for (let j = 0, n = dense ? b.count : sc.workCount; j < n; j++) {
    const i = dense ? j : work[j]!;
    if (b.disposition[i] !== RowState.Pending) continue;
    const r = sc.service[i]!;
    if (r < 0) continue;
    let verdict: number;
    if (t.serviceDeny[r] === 0) verdict = ServiceVerdict.AllowAll;
    else if (sc.endpointSubnet[i]! >= 0)
      verdict = t.serviceVnetRule[r * nSub + sc.endpointSubnet[i]!] === 1 ? ServiceVerdict.VnetRule : ServiceVerdict.DeniedVnet;
    else if (internal && t.serviceIsStorage[r] === 1 && sameRegion(t, sc, i, r)) verdict = ServiceVerdict.DeniedInternal;
    else {
      const rules = t.serviceIpRules[r]!;
      verdict = rules !== null && rules.lookup(sc.seenSrc[i]!) >= 0 ? ServiceVerdict.IpRule : ServiceVerdict.DeniedIp;
    }
    sc.serviceVerdict[i] = verdict;
    if (verdict === ServiceVerdict.DeniedVnet || verdict === ServiceVerdict.DeniedIp || verdict === ServiceVerdict.DeniedInternal) {
      b.serviceError[i] = verdict === ServiceVerdict.DeniedVnet ? t.serviceErrorVnet[r]! : t.serviceErrorIp[r]!;
      finish(b, i, Disposition.ServiceDenied, DropReason.ServiceFirewallDenied);
    } else finish(b, i, Disposition.Delivered, 0);
  }
}

/**
 * R-SVC-4: whether row i reached service r from a VNet in the service's region without leaving Azure: the sender's
 * VNet, or the forwarding appliance's; never traffic forced through on-premises (it arrives from the NAT addresses).
 */
export function sameRegion(t: CompiledTables, sc: Scratch, i: number, r: number): boolean {
  if (sc.srcSubnet[i]! < 0 || sc.nextHop[i] === NextHop.VirtualNetworkGateway) return false;
  const a = sc.appliance[i]!;
  let vnet: number;
  if (a >= 0) {
    if (t.vmApplianceEgress[a] === ApplianceEgress.OnPrem) return false;
    vnet = t.subnetVnet[t.vmSubnet[a]!]!;
  } else vnet = t.subnetVnet[sc.srcSubnet[i]!]!;
  return t.vnetRegion[vnet] === t.serviceRegion[r];
}
