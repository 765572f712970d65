// Virtual machines of an ARM template -> network.vms: VM -> primary NIC -> primary IP configuration -> subnet,
// private address (static as given; dynamic: the first free address from the 4th host up, as Azure assigns them),
// public IP, NIC NSG, application security groups, IP forwarding.

import { formatIpv4, parseIpv4Cidr, type VmSpec } from '@vnetsim/core';
import type { Val } from './arm-reader.js';
import { refNames, type ArmResource } from './arm-resources.js';
import { refTo, T, type ImportContext } from './arm-context.js';

interface NicInfo {
  r: ArmResource;
  subnet?: string;
  staticIp?: string;
  staticIpV6?: string;
  ipAt?: Val;
  publicIp?: string;
  nsg?: string;
  asgs: string[];
  ipForwarding: boolean;
}

function primary(items: Val[]): Val | undefined {
  return items.find((v) => v.at('properties.primary')?.bool() === true) ?? items[0];
}

function readNic(ctx: ImportContext, r: ArmResource, pips: Map<string, string>): NicInfo {
  const nic: NicInfo = { r, asgs: [], ipForwarding: r.res.at('properties.enableIPForwarding')?.bool() ?? false };
  const nsgs = new Set(ctx.net.nsgs.map((n) => n.name));
  const nsg = refTo(ctx, r.res.at('properties.networkSecurityGroup'), 'Microsoft.Network/networkSecurityGroups', nsgs, 'NSG');
  if (nsg !== undefined) nic.nsg = nsg;
  const configs = r.res.at('properties.ipConfigurations')?.items() ?? [];
  const v4 = configs.filter((c) => (c.at('properties.privateIPAddressVersion')?.str() ?? 'IPv4').toLowerCase() !== 'ipv6');
  const v6 = configs.filter((c) => (c.at('properties.privateIPAddressVersion')?.str() ?? '').toLowerCase() === 'ipv6');
  const cfg = primary(v4);
  if (cfg === undefined) {
    r.res.warn(`NIC "${r.names[0]}" has no IPv4 ip configuration; left out`);
    return nic;
  }
  if (v4.length > 1) r.res.at('properties.ipConfigurations')!.warn(`NIC "${r.names[0]}": only the primary IPv4 configuration is modelled`);
  const p = cfg.get('properties');
  const subnetNames = refNames(p?.get('subnet'), 'Microsoft.Network/virtualNetworks/subnets');
  if (subnetNames !== undefined) {
    const [vn, sn] = subnetNames as [string, string];
    if (ctx.net.vnets.some((v) => v.name === vn && v.subnets.some((s) => s.name === sn))) nic.subnet = `${vn}/${sn}`;
    else p!.get('subnet')!.warn(`subnet ${vn}/${sn} is not defined in this template; left out`);
  }
  if ((p?.get('privateIPAllocationMethod')?.str() ?? 'Dynamic').toLowerCase() === 'static') {
    const ip = p?.get('privateIPAddress')?.str();
    if (ip !== undefined) nic.staticIp = ip;
    else p?.warn('static allocation without privateIPAddress; a dynamic address is assigned instead');
  }
  nic.ipAt = cfg;
  const pip = refTo(ctx, p?.get('publicIPAddress'), 'Microsoft.Network/publicIPAddresses', new Set(pips.keys()), 'public IP');
  if (pip !== undefined) nic.publicIp = pips.get(pip)!;
  for (const a of p?.get('applicationSecurityGroups')?.items() ?? []) {
    const n = refNames(a, 'Microsoft.Network/applicationSecurityGroups');
    if (n !== undefined) nic.asgs.push(n[n.length - 1]!);
  }
  const c6 = v6[0];
  if (c6 !== undefined) {
    const ip6 = c6.at('properties.privateIPAddress')?.str();
    if (ip6 !== undefined) nic.staticIpV6 = ip6;
    else c6.warn('dynamic IPv6 addresses are not assigned by the importer; left out');
  }
  return nic;
}

export function importVms(ctx: ImportContext, pips: Map<string, string>): void {
  const nics = new Map<string, NicInfo>();
  for (const r of ctx.byType(T.nic)) nics.set(r.names[0]!, readNic(ctx, r, pips));
  const usedBy = new Map<string, string>();
  const vms: Array<{ name: string; nic: NicInfo; at: Val }> = [];
  for (const r of ctx.byType(T.vm)) {
    const name = r.names[0]!;
    const list = r.res.at('properties.networkProfile.networkInterfaces')?.items() ?? [];
    if (list.length > 1) r.res.at('properties.networkProfile.networkInterfaces')!.warn(`VM "${name}": only the primary NIC is modelled`);
    const nicName = refTo(ctx, primary(list), 'Microsoft.Network/networkInterfaces', new Set(nics.keys()), 'NIC');
    if (nicName === undefined) {
      r.res.warn(`VM "${name}" has no NIC vnetsim knows; left out`);
      continue;
    }
    const prev = usedBy.get(nicName);
    if (prev !== undefined) {
      r.res.warn(`VM "${name}": NIC "${nicName}" is already used by VM "${prev}"; left out`);
      continue;
    }
    usedBy.set(nicName, name);
    const nic = nics.get(nicName)!;
    if (nic.subnet === undefined) {
      r.res.warn(`VM "${name}": its NIC "${nicName}" is in no subnet vnetsim knows; left out`);
      continue;
    }
    vms.push({ name, nic, at: r.res });
  }
  for (const [n, nic] of nics) if (!usedBy.has(n)) nic.r.res.warn(`NIC "${n}" is attached to no virtual machine of this template; left out`);

  // Static addresses first, then dynamic ones in template order: the first free address from .4 (Azure reserves
  // the network address, .1-.3 and the broadcast address).
  const taken = new Set(vms.flatMap((v) => (v.nic.staticIp === undefined ? [] : [v.nic.staticIp])));
  for (const { name, nic, at } of vms) {
    let ip = nic.staticIp;
    if (ip === undefined) {
      ip = nextFree(ctx, nic.subnet!, taken);
      if (ip === undefined) {
        at.warn(`VM "${name}": subnet ${nic.subnet} has no free address left; left out`);
        continue;
      }
      taken.add(ip);
      nic.ipAt!.warn(`VM "${name}": dynamic private IP; assigned ${ip}, the first free address of ${nic.subnet} in template order`);
    }
    const vm: VmSpec = { name, subnet: nic.subnet!, privateIp: ip, asgs: nic.asgs, ipForwarding: nic.ipForwarding };
    if (nic.staticIpV6 !== undefined) vm.privateIpV6 = nic.staticIpV6;
    if (nic.publicIp !== undefined) vm.publicIp = nic.publicIp;
    if (nic.nsg !== undefined) vm.nsg = nic.nsg;
    ctx.net.vms.push(vm);
  }
}

function nextFree(ctx: ImportContext, subnetRef: string, taken: Set<string>): string | undefined {
  const [vn, sn] = subnetRef.split('/') as [string, string];
  const prefix = ctx.net.vnets.find((v) => v.name === vn)!.subnets.find((s) => s.name === sn)!.prefix;
  let c;
  try {
    c = parseIpv4Cidr(prefix);
  } catch {
    return undefined;
  }
  const size = 2 ** (32 - c.length);
  for (let off = 4; off < size - 1; off++) {
    const a = formatIpv4((c.prefix + off) >>> 0);
    if (!taken.has(a)) return a;
  }
  return undefined;
}
