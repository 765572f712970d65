// A control-plane step of the scenario format applied to a Network (the runner, `whatif --change`, the whatif step).
import type { ChangeResult, Network } from '@vnetsim/dataplane';
import type { Step } from '../load/scenario-schema.js';

/** Step kinds that change the network (what `whatif` accepts as a change). */
export const CHANGE_KINDS = [
  'enableServiceEndpoint', 'disableServiceEndpoint', 'addVirtualNetworkRule', 'removeVirtualNetworkRule', 'addIpRule',
  'removeIpRule', 'setRule', 'removeRule', 'setRoute', 'removeRoute',
] as const;

/** Applies `step` when it is a control-plane change; null for any other kind of step. */
export function applyChange(net: Network, step: Step): ChangeResult | null {
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
      return null;
  }
}
