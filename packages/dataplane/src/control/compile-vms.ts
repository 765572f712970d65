// VMs: subnet, addresses (into the destination tables), NIC NSG classifiers, appliance egress, and the SNAT pool each
// VM's Internet traffic is translated with (R-SNAT-1).
import type { NetworkNsgs, NsgClassifier, ScenarioOptions } from '@vnetsim/core';
import { parseIpv4, parseIpv6 } from '@vnetsim/core';
import { splitSubnet, type CompileContext } from './compile-context.js';
import { ApplianceEgress, Dest } from './encodings.js';

export function compileVms(ctx: CompileContext, nsgs: NetworkNsgs, subnetSnatPool: Int32Array, options: Pick<ScenarioOptions, 'outboundPrecedence'>) {
  const { spec, dest, dest6, subnetIndex } = ctx;
  const n = spec.vms.length;
  const vmSubnet = new Int32Array(n);
  const vmPrivate = new Uint32Array(n);
  const vmPublic = new Uint32Array(n);
  const vmApplianceEgress = new Int8Array(n);
  const vmAppliancePool = new Int32Array(n).fill(-1);
  const vmPublicPool = new Int32Array(n).fill(-1);
  const vmNicOut: Array<NsgClassifier | null> = [];
  const vmNicIn: Array<NsgClassifier | null> = [];
  spec.vms.forEach((vm, i) => {
    vmSubnet[i] = subnetIndex.get(vm.subnet) ?? -1;
    vmPrivate[i] = parseIpv4(vm.privateIp);
    dest.insert(vmPrivate[i]!, 32, Dest.VM + i);
    if (vm.privateIpV6 !== undefined) dest6.insert(parseIpv6(vm.privateIpV6), 128, Dest.VM + i);
    if (vm.publicIp !== undefined) {
      vmPublic[i] = parseIpv4(vm.publicIp);
      vmPublicPool[i] = ctx.pool(vm.publicIp, `instance public IP of ${vm.name}`);
      dest.insert(vmPublic[i]!, 32, Dest.PUBLIC_VM + i);
    }
    const vnetName = splitSubnet(vm.subnet)[0];
    vmNicOut.push(vm.nsg === undefined ? null : nsgs.classifier(vm.nsg, 'Outbound', vnetName));
    vmNicIn.push(vm.nsg === undefined ? null : nsgs.classifier(vm.nsg, 'Inbound', vnetName));
    const app = vm.appliance;
    vmApplianceEgress[i] =
      app === undefined || !vm.ipForwarding ? ApplianceEgress.NotAppliance : ApplianceEgress[app.egress];
    if (app?.publicIp !== undefined) vmAppliancePool[i] = ctx.pool(app.publicIp, `public IP of appliance ${vm.name}`);
    else if (vm.publicIp !== undefined) vmAppliancePool[i] = vmPublicPool[i]!;
  });

  // R-SNAT-1: instance public IP, else NAT gateway, else default outbound (SEMANTICS.md); with outboundPrecedence
  // `natGateway` (Azure's current NAT gateway documents) a subnet's NAT gateway wins over the instance IP.
  const natFirst = options.outboundPrecedence === 'natGateway';
  const vmOutboundPool = new Int32Array(n);
  spec.vms.forEach((_vm, i) => {
    const s = vmSubnet[i]!;
    const subnetPool = s >= 0 ? subnetSnatPool[s]! : -1;
    const hasNat = s >= 0 && ctx.subnetSpecs[s]!.subnet.natGateway !== undefined;
    vmOutboundPool[i] = vmPublicPool[i]! >= 0 && !(natFirst && hasNat) ? vmPublicPool[i]! : subnetPool;
  });
  const outboundPrecedence: 'natGateway' | 'instancePublicIp' = natFirst ? 'natGateway' : 'instancePublicIp';
  return {
    vmNames: spec.vms.map((v) => v.name),
    vmSubnet, vmPrivate, vmPublic, vmNicOut, vmNicIn, vmApplianceEgress, vmAppliancePool, vmPublicPool, vmOutboundPool, outboundPrecedence,
  };
}
