import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinServiceTags } from './service-tags/builtin.js';
import { loadServiceTags } from './service-tags/load.js';
import type { NetworkSpec, Problem, RouteSpec, SecurityRuleSpec } from './types.js';
import { validateNetwork, validateRoute, validateRule } from './validate.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const tags = builtinServiceTags();

const rule = (over: Partial<SecurityRuleSpec> = {}): SecurityRuleSpec => ({
  name: 'allow-storage', priority: 100, direction: 'Outbound', access: 'Allow', protocol: '*',
  source: 'VirtualNetwork', sourcePorts: '*', destination: 'Storage.WestEurope', destinationPorts: '443', ...over,
});

/** A valid network using every part of the model (SCENARIOS.md's example, made consistent). */
function base(): NetworkSpec {
  return {
    vnets: [
      {
        name: 'hub', region: 'westeurope', subscription: 'sub-a', tenant: 'contoso', deploymentModel: 'ResourceManager',
        addressSpace: ['10.0.0.0/16', 'fd00:10::/48'], peerings: ['spoke'],
        gateway: { onPremPrefixes: ['192.168.0.0/16'], natIps: ['203.0.113.10'] },
        subnets: [
          { name: 'app', prefix: '10.0.1.0/24', prefixV6: 'fd00:10:0:1::/64', nsg: 'app-nsg', routeTable: 'forced',
            natGateway: { publicIps: ['20.50.0.1'] },
            serviceEndpoints: [{ service: 'Microsoft.Storage' }, { service: 'Microsoft.Sql' }, { service: 'Microsoft.KeyVault', locations: ['*'] }],
            endpointPolicies: ['only-mystorage'] },
          { name: 'dmz', prefix: '10.0.2.0/24', serviceEndpoints: [], endpointPolicies: [] },
        ],
      },
      {
        name: 'spoke', region: 'northeurope', subscription: 'sub-b', tenant: 'contoso', deploymentModel: 'ResourceManager',
        addressSpace: ['10.1.0.0/16'], peerings: [],
        subnets: [{ name: 'web', prefix: '10.1.1.0/24', serviceEndpoints: [{ service: 'Microsoft.Storage' }], endpointPolicies: [] }],
      },
      {
        name: 'classic', region: 'eastus', subscription: 'sub-c', tenant: 'fabrikam', deploymentModel: 'Classic',
        addressSpace: ['10.5.0.0/16'], peerings: [],
        subnets: [{ name: 'old', prefix: '10.5.1.0/24', serviceEndpoints: [], endpointPolicies: [] }],
      },
    ],
    nsgs: [
      { name: 'app-nsg', rules: [
        rule(),
        rule({ name: 'deny-internet', priority: 200, access: 'Deny', destination: 'Internet', destinationPorts: '*' }),
        rule({ name: 'web-in', priority: 100, direction: 'Inbound', source: ['10.1.0.0/16', '192.168.10.0/24'], destination: '*', sourceAsgs: [], destinationAsgs: ['web'], destinationPorts: ['80', '443', '8000-8080'] }),
      ] },
      { name: 'nic-nsg', rules: [] },
    ],
    routeTables: [
      { name: 'forced', disableBgpRoutePropagation: false, routes: [
        { name: 'default-nva', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.4' },
        { name: 'blackhole', prefix: '10.66.0.0/16', nextHopType: 'None' },
      ] },
    ],
    vms: [
      { name: 'vm1', subnet: 'hub/app', privateIp: '10.0.1.4', privateIpV6: 'fd00:10:0:1::4', publicIp: '52.10.0.1', nsg: 'nic-nsg', asgs: ['web'], ipForwarding: false },
      { name: 'fw', subnet: 'hub/dmz', privateIp: '10.0.2.4', ipForwarding: true, asgs: [], appliance: { egress: 'Internet', publicIp: '52.10.0.9' } },
      { name: 'vm2', subnet: 'spoke/web', privateIp: '10.1.1.4', ipForwarding: false, asgs: [] },
    ],
    services: [
      { name: 'mystorage', type: 'Microsoft.Storage', region: 'westeurope', subscription: 'sub-b', tenant: 'contoso',
        address: '52.239.1.10', hostname: 'mystorage.blob.core.windows.net',
        firewall: { defaultAction: 'Deny', virtualNetworkRules: ['hub/app', 'spoke/web'], ipRules: ['52.10.0.1', '203.0.113.0/30'] } },
      { name: 'mysql', type: 'Microsoft.Sql', region: 'westeurope', subscription: 'sub-a', tenant: 'contoso',
        address: '40.68.0.10', hostname: 'mysql.database.windows.net',
        firewall: { defaultAction: 'Deny', virtualNetworkRules: ['hub/app'], ipRules: [] } },
      { name: 'vault', type: 'Microsoft.KeyVault', region: 'eastus', subscription: 'sub-a', tenant: 'contoso',
        address: '52.236.2.10', firewall: { defaultAction: 'Allow', virtualNetworkRules: [], ipRules: [] } },
    ],
    endpointPolicies: [{ name: 'only-mystorage', service: 'Microsoft.Storage', resources: ['mystorage'] }],
    onPrem: [{ name: 'branch', prefix: '192.168.10.0/24', via: 'hub' }],
    principals: [{ name: 'netadmin', permissions: ['Microsoft.Network/*'] }, { name: 'reader', permissions: [] }],
  };
}

/** Applies `change` to a fresh base network, validates, and returns the problems. */
function problemsAfter(change: (n: NetworkSpec) => void): Problem[] {
  const n = base();
  change(n);
  return validateNetwork(n, tags);
}

function expectProblem(problems: Problem[], path: string, fragment: string): void {
  const at = problems.filter((p) => p.path === path);
  expect(at.map((p) => p.message), `problems at ${path} (all: ${JSON.stringify(problems)})`).toEqual(
    expect.arrayContaining([expect.stringContaining(fragment)]),
  );
}

const V0 = 'network.vnets[0]';
const S0 = `${V0}.subnets[0]`;
const R0 = 'network.nsgs[0].rules[0]';
const T0 = 'network.routeTables[0].routes[0]';

describe('validateNetwork', () => {
  it('a valid network has no problems', () => {
    expect(validateNetwork(base(), tags)).toEqual([]);
  });

  it('R-NSG-1, R-RT-3, R-SVC-3: counts over a documented limit carry code LimitExceeded; every other problem InvalidRequest', () => {
    const limits = problemsAfter((n) => {
      n.nsgs[1]!.rules = Array.from({ length: 1001 }, (_, i) => rule({ name: `r${i}`, priority: 100 + (i % 2000), direction: i < 1000 ? 'Outbound' : 'Inbound' }));
      n.routeTables[0]!.routes = Array.from({ length: 401 }, (_, i) => ({ name: `r${i}`, prefix: `11.${i >> 8}.${i & 255}.0/24`, nextHopType: 'Internet' as const }));
      n.services[0]!.firewall.ipRules = Array.from({ length: 201 }, (_, i) => `52.10.${i >> 8}.${i & 255}`);
      n.services[0]!.firewall.virtualNetworkRules = Array.from({ length: 201 }, () => 'hub/app');
    });
    const byCode = (code: string) => limits.filter((p) => p.code === code).map((p) => p.path).sort();
    expect(byCode('LimitExceeded')).toEqual([
      'network.nsgs[1].rules', 'network.routeTables[0].routes', 'network.services[0].firewall.ipRules', 'network.services[0].firewall.virtualNetworkRules',
    ]);
    // A rule name over 80 characters says "expected at most" too: it is not a count, so InvalidRequest.
    const name = problemsAfter((n) => { n.nsgs[0]!.rules[0]!.name = 'x'.repeat(81); });
    expect(name.map((p) => p.code)).toEqual(['InvalidRequest']);
    expect(limits.every((p) => p.code === 'LimitExceeded' || p.code === 'InvalidRequest')).toBe(true);
  });

  // [test name, change, path, message fragment]
  const cases: Array<[string, (n: NetworkSpec) => void, string, string]> = [
    // Addresses and VNets
    ['R-ADDR-1: a subnet prefix with host bits set shows the canonical form', (n) => { n.vnets[0]!.subnets[1]!.prefix = '10.0.2.1/24'; },
      `${V0}.subnets[1].prefix`, 'did you mean 10.0.2.0/24?'],
    ['R-ADDR-1: a malformed address range', (n) => { n.vnets[0]!.addressSpace[0] = '10.0.0.0/33'; }, `${V0}.addressSpace[0]`, 'not a number from 0 to 32'],
    ['R-ADDR-1: an IPv6 address range with host bits set', (n) => { n.vnets[0]!.addressSpace[1] = 'fd00:10::1/48'; }, `${V0}.addressSpace[1]`, 'did you mean fd00:10::/48?'],
    ['overlapping address spaces within a VNet', (n) => { n.vnets[0]!.addressSpace.push('10.0.128.0/17'); }, `${V0}.addressSpace[2]`, 'overlaps 10.0.0.0/16 (addressSpace[0])'],
    ['an empty address space', (n) => { n.vnets[2]!.addressSpace = []; n.vnets[2]!.subnets = []; }, 'network.vnets[2].addressSpace', 'expected at least one prefix'],
    ['overlapping subnets', (n) => { n.vnets[0]!.subnets[1]!.prefix = '10.0.1.128/25'; }, `${V0}.subnets[1].prefix`, 'overlaps 10.0.1.0/24'],
    ['a subnet outside its VNet', (n) => { n.vnets[0]!.subnets[1]!.prefix = '10.9.2.0/24'; }, `${V0}.subnets[1].prefix`, 'outside the address space of VNet "hub"'],
    ['an IPv6 subnet outside its VNet', (n) => { n.vnets[0]!.subnets[0]!.prefixV6 = 'fd00:99:0:1::/64'; }, `${S0}.prefixV6`, 'outside the address space'],
    ['peered VNets with overlapping spaces', (n) => { n.vnets[1]!.addressSpace = ['10.0.0.0/8']; n.vnets[1]!.subnets[0]!.prefix = '10.200.1.0/24'; n.vms[2]!.privateIp = '10.200.1.4'; },
      `${V0}.peerings[0]`, 'overlaps peer "spoke"'],
    ['an unknown region', (n) => { n.vnets[0]!.region = 'atlantis'; }, `${V0}.region`, 'unknown region "atlantis"'],
    ['an unknown deployment model', (n) => { (n.vnets[0] as { deploymentModel: string }).deploymentModel = 'Cloud'; }, `${V0}.deploymentModel`, 'expected ResourceManager or Classic'],
    // Names and references
    ['duplicate VNet names', (n) => { n.vnets[1]!.name = 'hub'; }, 'network.vnets[1].name', 'duplicate VNet name "hub" (also at network.vnets[0])'],
    ['duplicate subnet names in a VNet', (n) => { n.vnets[0]!.subnets[1]!.name = 'app'; }, `${V0}.subnets[1].name`, 'duplicate subnet name "app"'],
    ['duplicate NSG names', (n) => { n.nsgs[1]!.name = 'app-nsg'; }, 'network.nsgs[1].name', 'duplicate NSG name'],
    ['duplicate route table names', (n) => { n.routeTables.push({ name: 'forced', disableBgpRoutePropagation: false, routes: [] }); }, 'network.routeTables[1].name', 'duplicate route table name'],
    ['duplicate VM names', (n) => { n.vms[2]!.name = 'vm1'; }, 'network.vms[2].name', 'duplicate VM name "vm1"'],
    ['duplicate service names', (n) => { n.services[2]!.name = 'mystorage'; }, 'network.services[2].name', 'duplicate service name'],
    ['duplicate endpoint policy names', (n) => { n.endpointPolicies.push({ ...n.endpointPolicies[0]! }); }, 'network.endpointPolicies[1].name', 'duplicate endpoint policy name'],
    ['duplicate principal names', (n) => { n.principals[1]!.name = 'netadmin'; }, 'network.principals[1].name', 'duplicate principal name'],
    ['duplicate rule names in an NSG', (n) => { n.nsgs[0]!.rules[1]!.name = 'allow-storage'; }, 'network.nsgs[0].rules[1].name', 'duplicate rule name "allow-storage"'],
    ['duplicate route names in a table', (n) => { n.routeTables[0]!.routes[1]!.name = 'default-nva'; }, 'network.routeTables[0].routes[1].name', 'duplicate route name'],
    ['a missing name', (n) => { n.nsgs[1]!.name = ''; }, 'network.nsgs[1].name', 'expected a NSG name'],
    ['an unknown NSG on a subnet', (n) => { n.vnets[0]!.subnets[0]!.nsg = 'nope'; }, `${S0}.nsg`, 'unknown NSG "nope", expected one of: app-nsg, nic-nsg'],
    ['an unknown NSG on a NIC', (n) => { n.vms[0]!.nsg = 'nope'; }, 'network.vms[0].nsg', 'unknown NSG "nope"'],
    ['an unknown route table', (n) => { n.vnets[0]!.subnets[0]!.routeTable = 'nope'; }, `${S0}.routeTable`, 'unknown route table "nope"'],
    ['an unknown peer', (n) => { n.vnets[0]!.peerings.push('nope'); }, `${V0}.peerings[1]`, 'unknown VNet "nope"'],
    ['a VNet peering with itself', (n) => { n.vnets[0]!.peerings.push('hub'); }, `${V0}.peerings[1]`, 'peers with itself'],
    ['an unknown VNet in a VM subnet', (n) => { n.vms[0]!.subnet = 'nope/app'; }, 'network.vms[0].subnet', 'unknown VNet "nope"'],
    ['an unknown subnet in a VM subnet', (n) => { n.vms[0]!.subnet = 'hub/nope'; }, 'network.vms[0].subnet', 'unknown subnet "nope" in VNet "hub", expected one of: app, dmz'],
    ['a malformed subnet reference', (n) => { n.vms[0]!.subnet = 'app'; }, 'network.vms[0].subnet', 'expected a subnet reference "vnet/subnet"'],
    ['an unknown endpoint policy on a subnet', (n) => { n.vnets[0]!.subnets[0]!.endpointPolicies.push('nope'); }, `${S0}.endpointPolicies[1]`, 'unknown endpoint policy "nope"'],
    ['an endpoint policy without its endpoint', (n) => { n.vnets[0]!.subnets[1]!.endpointPolicies.push('only-mystorage'); }, `${V0}.subnets[1].endpointPolicies[0]`, 'has no Microsoft.Storage endpoint'],
    ['an endpoint policy naming an unknown resource', (n) => { n.endpointPolicies[0]!.resources.push('nope'); }, 'network.endpointPolicies[0].resources[1]', 'unknown service "nope"'],
    ['an endpoint policy for a non-Storage service', (n) => { n.endpointPolicies[0]!.service = 'Microsoft.Sql'; }, 'network.endpointPolicies[0].service', 'expected Microsoft.Storage'],
    ['an on-premises site via an unknown VNet', (n) => { n.onPrem[0]!.via = 'nope'; }, 'network.onPrem[0].via', 'unknown VNet "nope"'],
    ['an on-premises site via a VNet without gateway', (n) => { n.onPrem[0]!.via = 'spoke'; }, 'network.onPrem[0].via', 'has no gateway'],
    // VMs
    ['a private IP outside its subnet', (n) => { n.vms[0]!.privateIp = '10.0.2.10'; }, 'network.vms[0].privateIp', 'outside subnet hub/app (10.0.1.0/24)'],
    ['a private IPv6 outside its subnet', (n) => { n.vms[0]!.privateIpV6 = 'fd00:10:0:2::4'; }, 'network.vms[0].privateIpV6', 'outside subnet hub/app'],
    ['an Azure-reserved private IP', (n) => { n.vms[0]!.privateIp = '10.0.1.1'; }, 'network.vms[0].privateIp', 'reserved by Azure'],
    ['a duplicate private IP', (n) => { n.vms[1]!.subnet = 'hub/app'; n.vms[1]!.privateIp = '10.0.1.4'; }, 'network.vms[1].privateIp', 'already used by network.vms[0].privateIp'],
    ['a malformed private IP', (n) => { n.vms[0]!.privateIp = '10.0.1.300'; }, 'network.vms[0].privateIp', 'greater than 255'],
    ['a private public IP', (n) => { n.vms[0]!.publicIp = '10.9.9.9'; }, 'network.vms[0].publicIp', 'not a public address'],
    ['an appliance without IP forwarding', (n) => { n.vms[1]!.ipForwarding = false; }, 'network.vms[1].ipForwarding', 'expected true'],
    // NSG rules
    ['R-NSG-1: a priority below 100', (n) => { n.nsgs[0]!.rules[0]!.priority = 99; }, `${R0}.priority`, 'found 99, expected an integer from 100 to 4096'],
    ['R-NSG-1: a priority above 4096', (n) => { n.nsgs[0]!.rules[0]!.priority = 4097; }, `${R0}.priority`, 'from 100 to 4096'],
    ['R-NSG-1: a duplicate priority in one direction', (n) => { n.nsgs[0]!.rules[1]!.priority = 100; }, 'network.nsgs[0].rules[1].priority', 'priority 100 is already used by Outbound rule "allow-storage" (rules[0])'],
    ['R-NSG-1: a rule name over 80 characters', (n) => { n.nsgs[0]!.rules[0]!.name = 'x'.repeat(81); }, `${R0}.name`, 'has 81 characters, expected at most 80'],
    ['R-NSG-1: a bad protocol', (n) => { (n.nsgs[0]!.rules[0] as { protocol: string }).protocol = 'Sctp'; }, `${R0}.protocol`, 'found "Sctp", expected one of Tcp, Udp, Icmp, Esp, Ah, *'],
    ['R-NSG-1: a bad direction', (n) => { (n.nsgs[0]!.rules[0] as { direction: string }).direction = 'Up'; }, `${R0}.direction`, 'expected Inbound or Outbound'],
    ['R-NSG-1: a bad access', (n) => { (n.nsgs[0]!.rules[0] as { access: string }).access = 'Maybe'; }, `${R0}.access`, 'expected Allow or Deny'],
    ['R-NSG-1: bad ports', (n) => { n.nsgs[0]!.rules[0]!.destinationPorts = '70000'; }, `${R0}.destinationPorts`, 'ports go from 0 to 65535'],
    ['R-NSG-1: a reversed port range', (n) => { n.nsgs[0]!.rules[0]!.sourcePorts = ['443', '2000-1000']; }, `${R0}.sourcePorts`, 'range start is above its end'],
    ['R-NSG-1: a malformed address in a rule', (n) => { n.nsgs[0]!.rules[2]!.source = ['10.1.0.0/16', '10.1.0.1/16']; }, 'network.nsgs[0].rules[2].source[1]', 'did you mean 10.1.0.0/16?'],
    ['R-NSG-1: more than 1000 rules', (n) => {
      n.nsgs[1]!.rules = Array.from({ length: 1001 }, (_, i) => rule({ name: `r${i}`, priority: 100 + (i % 2000), direction: i < 1000 ? 'Outbound' : 'Inbound' }));
    }, 'network.nsgs[1].rules', 'has 1001 rules, expected at most 1000'],
    ['R-NSG-6: an unknown service tag is an error', (n) => { n.nsgs[0]!.rules[0]!.destination = 'Storage.Atlantis'; }, `${R0}.destination`, 'unknown service tag "Storage.Atlantis"'],
    ['R-NSG-1: a service tag inside a list', (n) => { n.nsgs[0]!.rules[0]!.destination = ['Storage', '52.239.0.0/23']; }, `${R0}.destination[0]`, 'expected a service tag alone'],
    ['R-NSG-1: an address together with ASGs', (n) => { n.nsgs[0]!.rules[2]!.destination = '10.0.1.4'; }, 'network.nsgs[0].rules[2].destination', 'together with application security groups'],
    ['R-NSG-1: IPv4 and IPv6 addresses mixed in one rule', (n) => { n.nsgs[0]!.rules[0]!.source = '10.0.1.0/24'; n.nsgs[0]!.rules[0]!.destination = '2603:1020:200::/48'; }, `${R0}.destination`, 'mixes IPv4 and IPv6'],
    ['R-NSG-1: an unknown application security group', (n) => { n.nsgs[0]!.rules[2]!.destinationAsgs = ['nope']; }, 'network.nsgs[0].rules[2].destinationAsgs[0]', 'unknown application security group "nope"'],
    // Routes
    ['R-RT-3: more than 400 routes', (n) => {
      n.routeTables[0]!.routes = Array.from({ length: 401 }, (_, i) => ({ name: `r${i}`, prefix: `11.${i >> 8}.${i & 255}.0/24`, nextHopType: 'Internet' as const }));
    }, 'network.routeTables[0].routes', 'has 401 routes, expected at most 400'],
    ['R-RT-3: VirtualAppliance without nextHopIp', (n) => { delete n.routeTables[0]!.routes[0]!.nextHopIp; }, `${T0}.nextHopIp`, 'needs nextHopIp'],
    ['R-RT-3: nextHopIp with another next hop type', (n) => { n.routeTables[0]!.routes[1]!.nextHopIp = '10.0.2.4'; }, 'network.routeTables[0].routes[1].nextHopIp', 'expected nextHopIp only with VirtualAppliance'],
    ['R-RT-3: VNetPeering is refused in a UDR', (n) => { n.routeTables[0]!.routes[1]!.nextHopType = 'VNetPeering'; }, 'network.routeTables[0].routes[1].nextHopType', 'refused in a user-defined route'],
    ['R-RT-3: VirtualNetworkServiceEndpoint is refused in a UDR', (n) => { n.routeTables[0]!.routes[1]!.nextHopType = 'VirtualNetworkServiceEndpoint'; }, 'network.routeTables[0].routes[1].nextHopType', 'refused in a user-defined route'],
    ['R-ADDR-1: a route prefix with host bits set', (n) => { n.routeTables[0]!.routes[1]!.prefix = '10.66.1.0/16'; }, 'network.routeTables[0].routes[1].prefix', 'did you mean 10.66.0.0/16?'],
    // Service endpoints
    ['an unknown service in serviceEndpoints', (n) => { n.vnets[0]!.subnets[1]!.serviceEndpoints.push({ service: 'Microsoft.Nope' }); }, `${V0}.subnets[1].serviceEndpoints[0].service`, 'unknown endpoint service "Microsoft.Nope"'],
    ['an unknown region in endpoint locations', (n) => { n.vnets[0]!.subnets[1]!.serviceEndpoints.push({ service: 'Microsoft.Storage', locations: ['atlantis'] }); }, `${V0}.subnets[1].serviceEndpoints[0].locations[0]`, 'unknown region "atlantis"'],
    ['R-SE-REGION: an endpoint whose tag is missing from the tag set', (n) => { n.vnets[0]!.subnets[1]!.serviceEndpoints.push({ service: 'Microsoft.Sql', locations: ['uksouth'] }); }, `${V0}.subnets[1].serviceEndpoints[0].service`, 'Sql.UKSouth'],
    ['R-SE-9: Microsoft.Storage and Microsoft.Storage.Global on one subnet', (n) => { n.vnets[0]!.subnets[0]!.serviceEndpoints.push({ service: 'Microsoft.Storage.Global' }); }, `${S0}.serviceEndpoints[3].service`, 'R-SE-9'],
    ['the same endpoint twice on a subnet', (n) => { n.vnets[0]!.subnets[0]!.serviceEndpoints.push({ service: 'microsoft.sql' }); }, `${S0}.serviceEndpoints[3].service`, 'enabled twice'],
    ['R-SE-6: an endpoint on a Classic VNet', (n) => { n.vnets[2]!.subnets[0]!.serviceEndpoints.push({ service: 'Microsoft.Storage' }); }, 'network.vnets[2].subnets[0].serviceEndpoints[0].service', 'Classic VNet "classic" (R-SE-6)'],
    // Services
    ['an unknown service type', (n) => { n.services[2]!.type = 'Microsoft.Nope'; }, 'network.services[2].type', 'unknown service type "Microsoft.Nope"'],
    ['an unknown service region', (n) => { n.services[2]!.region = 'atlantis'; }, 'network.services[2].region', 'unknown region'],
    ['a service address outside its regional tag', (n) => { n.services[0]!.address = '52.239.4.10'; }, 'network.services[0].address', 'not in service tag Storage.WestEurope'],
    ['a service address of another service', (n) => { n.services[1]!.address = '52.239.1.10'; }, 'network.services[1].address', 'not in service tag Sql.WestEurope'],
    ['a service address checked against the global tag when the region has no tag', (n) => { n.services[2]!.region = 'uksouth'; n.services[2]!.address = '8.8.8.8'; }, 'network.services[2].address', 'not in service tag AzureKeyVault '],
    ['a duplicate host name', (n) => { n.services[1]!.hostname = 'MyStorage.blob.core.windows.net'; }, 'network.services[1].hostname', 'already used by network.services[0].hostname'],
    ['R-SVC-1: an IP rule with a private range', (n) => { n.services[0]!.firewall.ipRules.push('10.0.0.0/8'); }, 'network.services[0].firewall.ipRules[2]', 'private or reserved range (R-SVC-1)'],
    ['R-SVC-1: an IP rule with a CGNAT address', (n) => { n.services[0]!.firewall.ipRules.push('100.64.1.1'); }, 'network.services[0].firewall.ipRules[2]', 'R-SVC-1'],
    ['R-SVC-1: a bad default action', (n) => { (n.services[0]!.firewall as { defaultAction: string }).defaultAction = 'Block'; }, 'network.services[0].firewall.defaultAction', 'expected Allow or Deny'],
    ['R-SVC-3: more than 200 Storage VNet rules', (n) => { n.services[0]!.firewall.virtualNetworkRules = Array.from({ length: 201 }, () => 'hub/app'); }, 'network.services[0].firewall.virtualNetworkRules', '201 virtual network rules, expected at most 200 for Microsoft.Storage (R-SVC-3)'],
    ['R-SVC-3: more than 128 SQL VNet rules', (n) => { n.services[1]!.firewall.virtualNetworkRules = Array.from({ length: 129 }, () => 'hub/app'); }, 'network.services[1].firewall.virtualNetworkRules', 'expected at most 128'],
    ['R-SVC-3: more than 200 Storage IP rules', (n) => { n.services[0]!.firewall.ipRules = Array.from({ length: 201 }, (_, i) => `52.1.${i}.1`); }, 'network.services[0].firewall.ipRules', '201 IP rules, expected at most 200'],
    ['R-SVC-3: more than 1000 Key Vault IP rules', (n) => { n.services[2]!.firewall.ipRules = Array.from({ length: 1001 }, (_, i) => `52.${1 + (i >> 8)}.${i & 255}.1`); }, 'network.services[2].firewall.ipRules', 'expected at most 1000'],
    ['a virtual network rule naming an unknown subnet', (n) => { n.services[0]!.firewall.virtualNetworkRules.push('hub/nope'); }, 'network.services[0].firewall.virtualNetworkRules[2]', 'unknown subnet "nope"'],
    ['R-SE-6: a virtual network rule for a VNet of another tenant', (n) => { n.vnets[1]!.tenant = 'fabrikam'; }, 'network.services[0].firewall.virtualNetworkRules[1]', 'tenant "fabrikam" but mystorage is in tenant "contoso" (R-SE-6)'],
    ['R-SVC-2: a SQL VNet rule for a subnet in another region', (n) => { n.services[1]!.firewall.virtualNetworkRules.push('spoke/web'); }, 'network.services[1].firewall.virtualNetworkRules[1]', 'spoke/web is in northeurope but mysql is in westeurope (R-SVC-2)'],
    ['R-SVC-2: a Storage VNet rule for a subnet neither in the region nor its pair', (n) => {
      n.vnets[1]!.region = 'eastus'; n.vnets[1]!.subnets[0]!.serviceEndpoints = [];
    }, 'network.services[0].firewall.virtualNetworkRules[1]', 'neither mystorage\'s region westeurope nor its pair northeurope (R-SVC-2)'],
  ];

  it.each(cases)('%s', (_name, change, path, fragment) => {
    expectProblem(problemsAfter(change), path, fragment);
  });

  it('R-SE-6: a virtual network rule across subscriptions of one tenant is fine', () => {
    const n = base();
    expect(n.vnets[0]!.subscription).not.toBe(n.services[0]!.subscription);
    expect(validateNetwork(n, tags)).toEqual([]);
  });

  it('R-SVC-2: a Storage VNet rule for a subnet in the paired region is fine', () => {
    const n = base();
    expect(n.vnets[1]!.region).toBe('northeurope');
    expect(n.services[0]!.firewall.virtualNetworkRules).toContain('spoke/web');
    expect(validateNetwork(n, tags)).toEqual([]);
  });

  it('a network with many problems reports all of them at once', () => {
    const problems = problemsAfter((n) => {
      n.vnets[0]!.subnets[1]!.prefix = '10.0.2.1/24';
      n.vnets[0]!.subnets[0]!.nsg = 'nope';
      n.nsgs[0]!.rules[0]!.priority = 5000;
      n.nsgs[0]!.rules[1]!.destination = 'NotATag';
      delete n.routeTables[0]!.routes[0]!.nextHopIp;
      n.vms[0]!.privateIp = '10.0.3.4';
      n.services[0]!.firewall.ipRules.push('192.168.1.0/24');
      n.vnets[2]!.subnets[0]!.serviceEndpoints.push({ service: 'Microsoft.Storage' });
    });
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        `${V0}.subnets[1].prefix`,
        `${S0}.nsg`,
        `${R0}.priority`,
        'network.nsgs[0].rules[1].destination',
        `${T0}.nextHopIp`,
        'network.vms[0].privateIp',
        'network.services[0].firewall.ipRules[2]',
        'network.vnets[2].subnets[0].serviceEndpoints[0].service',
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(8);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(10);
  });

  it('never throws on structurally broken input', () => {
    const n = base() as unknown as { vnets: Array<Record<string, unknown>>; services: Array<Record<string, unknown>> };
    n.vnets[0]!['addressSpace'] = [42];
    n.services[0]!['firewall'] = undefined;
    const problems = validateNetwork(n as unknown as NetworkSpec, tags);
    expectProblem(problems, `${V0}.addressSpace[0]`, 'found 42');
    expectProblem(problems, 'network.services[0].firewall', 'expected { defaultAction');
  });
});

describe('validateNetwork with the real tag file', () => {
  const f = path.resolve(ROOT, '../shared/data/service-tags/ServiceTags_Public.cn376.json');
  it.skipIf(!existsSync(f))('service addresses and endpoint scopes against cn376 (reads ../shared/data/service-tags)', () => {
    const real = loadServiceTags(JSON.parse(readFileSync(f, 'utf8')), f);
    const n = base();
    n.services[0]!.address = '13.69.40.20'; // in Storage.WestEurope 13.69.40.16/28
    n.services[1]!.address = '8.8.8.8';
    n.services[2]!.region = 'qatarcentral';
    n.services[2]!.address = '8.8.4.4';
    n.vnets[0]!.subnets[1]!.serviceEndpoints.push({ service: 'Microsoft.Sql', locations: ['uksouth', 'francecentral'] });
    const problems = validateNetwork(n, real);
    expect(problems.map((p) => p.path).sort()).toEqual(['network.services[1].address', 'network.services[2].address']);
    expectProblem(problems, 'network.services[1].address', 'not in service tag Sql.WestEurope (61 prefixes');
    expectProblem(problems, 'network.services[2].address', 'not in service tag AzureKeyVault.QatarCentral');
  });
});

describe('validateRule / validateRoute (single changes)', () => {
  it('R-NSG-1: validateRule reports every problem of one rule under the given path', () => {
    const problems = validateRule(rule({ name: '', priority: 50, protocol: 'Gre' as never, destination: 'Nope' }), 'steps[3].setRule.rule', tags);
    expect(problems.map((p) => p.path).sort()).toEqual(
      ['steps[3].setRule.rule.destination', 'steps[3].setRule.rule.name', 'steps[3].setRule.rule.priority', 'steps[3].setRule.rule.protocol'].sort(),
    );
    expect(validateRule(rule(), 'r', tags)).toEqual([]);
  });

  it('R-NSG-6: validateRule accepts derived and published tags in any case', () => {
    for (const t of ['virtualnetwork', 'Internet', 'AzureLoadBalancer', 'storage', 'Sql.EastUS', '*', '52.239.1.10', '2603:1020:200::/48'])
      expect(validateRule(rule({ destination: t }), 'r', tags), t).toEqual([]);
  });

  it('R-RT-3: validateRoute', () => {
    const ok: RouteSpec = { name: 'x', prefix: '52.0.0.0/8', nextHopType: 'Internet' };
    expect(validateRoute(ok, 'steps[9].setRoute.route')).toEqual([]);
    expect(validateRoute({ name: 'v6', prefix: '::/0', nextHopType: 'VirtualAppliance', nextHopIp: 'fd00::4' }, 'r')).toEqual([]);
    const bad = validateRoute({ name: 'x', prefix: '52.0.0.1/8', nextHopType: 'Bogus' as never }, 'steps[9].setRoute.route');
    expectProblem(bad, 'steps[9].setRoute.route.prefix', 'did you mean 52.0.0.0/8?');
    expectProblem(bad, 'steps[9].setRoute.route.nextHopType', 'found "Bogus", expected one of VirtualNetworkGateway');
    expectProblem(validateRoute({ name: 'x', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.2.0/24' }, 'r'), 'r.nextHopIp', 'no /length');
  });
});

describe('R-ADDR-3: what a network may not declare', () => {
  it('R-ADDR-3: a VNet range overlapping multicast, broadcast, loopback, link-local or 168.63.129.16 is refused', () => {
    for (const [range, banned] of [
      ['224.0.0.0/4', '224.0.0.0/4'], ['230.1.0.0/16', '224.0.0.0/4'], ['255.255.255.0/24', '255.255.255.255/32'],
      ['127.0.0.0/8', '127.0.0.0/8'], ['169.254.0.0/16', '169.254.0.0/16'], ['168.63.0.0/16', '168.63.129.16/32'],
      ['168.0.0.0/8', '168.63.129.16/32'],
    ] as const) {
      const p = problemsAfter((n) => n.vnets[2]!.addressSpace.push(range));
      expectProblem(p, 'network.vnets[2].addressSpace[1]', `overlaps ${banned}`);
      expectProblem(p, 'network.vnets[2].addressSpace[1]', 'R-ADDR-3');
    }
    expect(problemsAfter((n) => n.vnets[2]!.addressSpace.push('168.62.0.0/16'))).toEqual([]);
  });

  it('R-ADDR-3: an IPv4 subnet smaller than /29, an IPv6 subnet other than /64 are refused; a /29 is fine', () => {
    expectProblem(problemsAfter((n) => (n.vnets[0]!.subnets[1]!.prefix = '10.0.2.0/30')), `${V0}.subnets[1].prefix`, 'expected an IPv4 subnet of /29 or larger');
    expectProblem(problemsAfter((n) => (n.vnets[0]!.subnets[1]!.prefix = '10.0.2.4/32')), `${V0}.subnets[1].prefix`, '/32');
    expect(problemsAfter((n) => (n.vnets[0]!.subnets[1]!.prefix = '10.0.2.0/29'))).toEqual([]);
    expectProblem(problemsAfter((n) => (n.vnets[0]!.subnets[0]!.prefixV6 = 'fd00:10:0:1::/80')), `${S0}.prefixV6`, 'exactly /64');
    expectProblem(problemsAfter((n) => (n.vnets[0]!.subnets[0]!.prefixV6 = 'fd00:10::/56')), `${S0}.prefixV6`, 'exactly /64');
  });

  it('R-ADDR-3: two routes with the same address prefix in one table are refused (as written); other tables may repeat it', () => {
    const p = problemsAfter((n) => n.routeTables[0]!.routes.push({ name: 'again', prefix: '0.0.0.0/0', nextHopType: 'None' }));
    expectProblem(p, 'network.routeTables[0].routes[2].prefix', 'as route "default-nva" (routes[0])');
    expect(problemsAfter((n) => n.routeTables.push({ name: 'other', disableBgpRoutePropagation: false, routes: [{ name: 'd', prefix: '0.0.0.0/0', nextHopType: 'None' }] }))).toEqual([]);
  });

  it('R-ADDR-3: an IPv6 address or prefix in a Storage account\'s IP rules is refused; other services are not concerned', () => {
    expectProblem(problemsAfter((n) => n.services[0]!.firewall.ipRules.push('2001:db8::1')), 'network.services[0].firewall.ipRules[2]', 'IPv4 only');
    expectProblem(problemsAfter((n) => n.services[0]!.firewall.ipRules.push('2001:db8::/48')), 'network.services[0].firewall.ipRules[2]', 'IPv4 only');
  });
});
