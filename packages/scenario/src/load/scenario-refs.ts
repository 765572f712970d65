// Checks that steps name things that exist (VMs, subnets, NSGs, services, principals, connection ids, tags), so a
// typo in a step is a load-time error rather than a run-time surprise. Problems carry paths; the loader locates them.

import { parseCidr, type NetworkSpec, type Problem, type ServiceTagSet } from '@vnetsim/core';
import { didYouMean } from './scenario-error.js';
import type { Step } from './scenario-schema.js';

export function checkStepReferences(net: NetworkSpec, tags: ServiceTagSet | undefined, steps: readonly Step[]): Problem[] {
  const problems: Problem[] = [];
  const names = (xs: ReadonlyArray<{ name: string }>) => xs.map((x) => x.name);
  const vms = names(net.vms);
  const services = names(net.services);
  const onPrem = names(net.onPrem);
  const subnets = net.vnets.flatMap((v) => v.subnets.map((s) => `${v.name}/${s.name}`));
  const nsgs = names(net.nsgs);
  const routeTables = names(net.routeTables);
  const principals = names(net.principals);
  const hostnames = net.services.flatMap((s) => (s.hostname === undefined ? [] : [s.hostname]));
  const connections = new Set<string>();

  const need = (path: string, value: string, what: string, pool: readonly string[]) => {
    if (!pool.includes(value)) problems.push({ path, message: `"${value}" is not ${what} of the network${didYouMean(value, pool)}` });
  };
  const isAddressOrPrefix = (v: string) => {
    try {
      parseCidr(v, true);
      return true;
    } catch {
      return false;
    }
  };
  const source = (path: string, v: string, subnetsToo: boolean) => {
    const pool = subnetsToo ? [...vms, ...subnets, ...onPrem] : [...vms, ...onPrem];
    need(path, v, subnetsToo ? 'a VM, a vnet/subnet or an on-premises name' : 'a VM or an on-premises name', pool);
  };
  const target = (path: string, v: string) => {
    if (vms.includes(v) || services.includes(v) || onPrem.includes(v) || isAddressOrPrefix(v)) return;
    if (tags === undefined || tags.has(v)) return;
    problems.push({
      path,
      message: `"${v}" is not a VM, service, on-premises name, address, prefix or known service tag${didYouMean(v, [...vms, ...services, ...onPrem])}`,
    });
  };
  const connection = (path: string, id: string) => {
    if (!connections.has(id)) problems.push({ path, message: `no earlier connect step has id "${id}"${didYouMean(id, [...connections])}` });
  };

  steps.forEach((step, i) => {
    const p = `steps[${i}].${step.kind}`;
    if ('as' in step && step.as !== undefined) need(`${p}.as`, step.as, 'a principal', principals);
    switch (step.kind) {
      case 'connect':
        source(`${p}.from`, step.from, true);
        target(`${p}.to`, step.to);
        if (step.id !== undefined) {
          if (connections.has(step.id)) problems.push({ path: `${p}.id`, message: `connection id "${step.id}" is used twice` });
          connections.add(step.id);
        }
        break;
      case 'send':
        if (step.flow !== undefined) connection(`${p}.flow`, step.flow);
        else {
          source(`${p}.from`, step.from, true);
          target(`${p}.to`, step.to);
        }
        break;
      case 'traffic':
        source(`${p}.from`, step.from, true);
        target(`${p}.to`, step.to);
        break;
      case 'enableServiceEndpoint':
      case 'disableServiceEndpoint':
        need(`${p}.subnet`, step.subnet, 'a subnet', subnets);
        break;
      case 'addVirtualNetworkRule':
      case 'removeVirtualNetworkRule':
        need(`${p}.service`, step.service, 'a service', services);
        need(`${p}.subnet`, step.subnet, 'a subnet', subnets);
        break;
      case 'addIpRule':
      case 'removeIpRule':
        need(`${p}.service`, step.service, 'a service', services);
        break;
      case 'setRule':
      case 'removeRule':
        need(`${p}.nsg`, step.nsg, 'an NSG', nsgs);
        break;
      case 'setRoute':
      case 'removeRoute':
        need(`${p}.routeTable`, step.routeTable, 'a route table', routeTables);
        break;
      case 'effectiveRoutes':
        if (step.subnet !== undefined) need(`${p}.subnet`, step.subnet, 'a subnet', subnets);
        if (step.vm !== undefined) need(`${p}.vm`, step.vm, 'a VM', vms);
        break;
      case 'effectiveSecurityRules':
      case 'ipFlowVerify':
        need(`${p}.vm`, step.vm, 'a VM', vms);
        break;
      case 'nextHop':
        need(`${p}.from`, step.from, 'a VM', vms);
        break;
      case 'resolve':
        // R-SE-4: names resolve with or without endpoints; an unknown name is a typo, not a test of DNS.
        need(`${p}.hostname`, step.hostname, 'a service host name', hostnames);
        break;
      case 'advanceTime':
        break;
      case 'whatif':
        for (const q of checkStepReferences(net, tags, step.changes))
          problems.push({ ...q, path: q.path.replace(/^steps\[(\d+)\]/, (_, j: string) => `${p}.changes[${j}]`) });
        break;
    }
    step.expect.resetConnections?.forEach((id, j) => connection(`steps[${i}].expect.resetConnections[${j}]`, id));
  });
  return problems;
}
