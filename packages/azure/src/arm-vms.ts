// Virtual machines of an ARM template -> network.vms: VM -> primary NIC -> primary IP configuration -> subnet,
// private address (static as given; dynamic: the first free address from the 4th host up, as Azure assigns them),
// public IP, NIC NSG, application security groups, IP forwarding.

import { formatIpv4, parseIpv4Cidr, type VmSpec } from '@vnetsim/core';
import type { Val } from './arm-reader.js';
import { refNames, type ArmResource } from './arm-resources.js';
import { givenAddress, placeholder, refTo, T, type ImportContext } from './arm-context.js';

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
  /** The VM the NIC says it is attached to (az prints `virtualMachine.id`). */
  vm?: string;
}

function primary(items: Val[]): Val | undefined {
  return items.find((v) => v.at('properties.primary')?.bool() === true) ?? items[0];
}

function readNic(ctx: ImportContext, r: ArmResource, pips: Map<string, string>): NicInfo {
  const nic: NicInfo = { r, asgs: [], ipForwarding: r.res.at('properties.enableIPForwarding')?.bool() ?? false };
  const vm = refNames(r.res.at('properties.virtualMachine'), 'Microsoft.Compute/virtualMachines');
  if (vm !== undefined) nic.vm = vm[0]!;
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
    else p!.get('subnet')!.warn(`subnet ${vn}/${sn} is not defined in ${ctx.inputName}; left out`);
  }
  // A deployed NIC (Terraform state, az) states its address whatever the allocation; a template only a static one.
  const ip = p?.get('privateIPAddress')?.str();
  if (ip !== undefined && ip !== '') nic.staticIp = ip;
  else if ((p?.get('privateIPAllocationMethod')?.str() ?? 'Dynamic').toLowerCase() === 'static')
    p?.warn('static allocation without privateIPAddress; a dynamic address is assigned instead');
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
  const vms: Array<{ name: string; nic: NicInfo; at: Val; r?: ArmResource }> = [];
  for (const r of ctx.byType(T.vm)) {
    const name = r.names[0]!;
    const list = r.res.at('properties.networkProfile.networkInterfaces')?.items() ?? [];
    if (list.length > 1) r.res.at('properties.networkProfile.networkInterfaces')!.warn(`VM "${name}": only the primary NIC is modelled`);
    const nicName = refTo(ctx, primary(list), 'Microsoft.Network/networkInterfaces', new Set(nics.keys()), 'NIC');
    if (nicName === undefined) {
      ctx.skip(r, `VM "${name}" has no NIC vnetsim knows`);
      continue;
    }
    const prev = usedBy.get(nicName);
    if (prev !== undefined) {
      ctx.skip(r, `VM "${name}": NIC "${nicName}" is already used by VM "${prev}"`);
      continue;
    }
    usedBy.set(nicName, name);
    const nic = nics.get(nicName)!;
    if (nic.subnet === undefined) {
      ctx.skip(r, `VM "${name}": its NIC "${nicName}" is in no subnet vnetsim knows`);
      ctx.skip(nic.r, `NIC "${nicName}" is in no subnet vnetsim knows`);
      continue;
    }
    vms.push({ name, nic, at: r.res, r });
  }
  // az exports NICs without VMs (`az vm list` is another command): a NIC names its VM, which is enough.
  const vmNames = new Set(ctx.byType(T.vm).map((r) => r.names[0]!));
  for (const [n, nic] of nics) {
    if (usedBy.has(n)) continue;
    if (nic.vm !== undefined && !vmNames.has(nic.vm) && nic.subnet !== undefined) {
      usedBy.set(n, nic.vm);
      vmNames.add(nic.vm);
      vms.push({ name: nic.vm, nic, at: nic.r.res });
      continue;
    }
    ctx.skip(nic.r, nic.subnet === undefined ? `NIC "${n}" is in no subnet vnetsim knows` : `NIC "${n}" is attached to no virtual machine of ${ctx.inputName}`);
  }

  // Static addresses first, then dynamic ones in template order: the first free address from .4 (Azure reserves
  // the network address, .1-.3 and the broadcast address).
  const taken = new Set(vms.flatMap((v) => (v.nic.staticIp === undefined ? [] : [v.nic.staticIp])));
  for (const { name, nic, at, r } of vms) {
    let ip = nic.staticIp ?? givenAddress(ctx, name);
    if (ip === undefined) {
      ip = nextFree(ctx, nic.subnet!, taken);
      if (ip === undefined) {
        if (r !== undefined) ctx.skip(r, `VM "${name}": subnet ${nic.subnet} has no free address left`);
        ctx.skip(nic.r, `VM "${name}": subnet ${nic.subnet} has no free address left`);
        at.warn(`VM "${name}": subnet ${nic.subnet} has no free address left; left out`);
        continue;
      }
      taken.add(ip);
      placeholder(ctx, name, 'privateIp', ip, nic.ipAt!, `VM "${name}": dynamic private IP; assigned ${ip}, the first free address of ${nic.subnet} in ${ctx.inputName}'s order, as Azure assigns them`);
    }
    if (r !== undefined) ctx.done(r);
    ctx.done(nic.r);
    const vm: VmSpec = { name, subnet: nic.subnet!, privateIp: ip, asgs: nic.asgs, ipForwarding: nic.ipForwarding };
    if (nic.staticIpV6 !== undefined) vm.privateIpV6 = nic.staticIpV6;
    if (nic.publicIp !== undefined) vm.publicIp = nic.publicIp;
    if (nic.nsg !== undefined) vm.nsg = nic.nsg;
    if (nic.ipForwarding) {
      // No format says what a network virtual appliance does with what it forwards: assumed, and said.
      vm.appliance = { egress: 'Internet', ...(nic.publicIp === undefined ? {} : { publicIp: nic.publicIp }) };
      placeholder(ctx, name, 'applianceEgress', 'Internet', at,
        `VM "${name}" forwards IP (a network virtual appliance); what it does with forwarded traffic is not in ${ctx.inputName}: assumed it sends it to the Internet${nic.publicIp === undefined ? '' : ` from ${nic.publicIp}`} (edit appliance.egress: Internet, OnPrem or Drop)`);
    }
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
