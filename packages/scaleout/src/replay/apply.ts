// Applies a control-plane step of a replay's change list to a shard's Network (the same Network methods the scenario
// runner calls; a refused change is an error of the change file, reported, never skipped silently).
import type { ChangeResult, Network } from '@vnetsim/dataplane';
import type { Step } from '@vnetsim/scenario';

export function applyChange(net: Network, step: Step): ChangeResult {
  switch (step.kind) {
    case 'enableServiceEndpoint':
      return net.enableServiceEndpoint(step.subnet, step.service, step.as, step.locations);
    case 'disableServiceEndpoint':
      return net.disableServiceEndpoint(step.subnet, step.service, step.as);
    case 'addVirtualNetworkRule':
      return net.addVirtualNetworkRule(step.service, step.subnet, step.as);
    case 'removeVirtualNetworkRule':
      return net.removeVirtualNetworkRule(step.service, step.subnet, step.as);
    case 'addIpRule':
      return net.addIpRule(step.service, step.ip, step.as);
    case 'removeIpRule':
      return net.removeIpRule(step.service, step.ip, step.as);
    case 'setRule':
      return net.setRule(step.nsg, step.rule, step.as);
    case 'removeRule':
      return net.removeRule(step.nsg, step.name, step.as);
    case 'setRoute':
      return net.setRoute(step.routeTable, step.route, step.as);
    case 'removeRoute':
      return net.removeRoute(step.routeTable, step.name, step.as);
    default:
      throw new Error(`step ${step.kind} (line ${step.line}) is not a control-plane change`);
  }
}
