import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { builtinServiceTags, compileRouting, validateNetwork } from '@vnetsim/core';
import { describe, expect, it } from 'vitest';
import { formatScenarioYaml, parseScenario, runScenario } from '@vnetsim/scenario';
import { scenarioOf } from './scenario-doc.js';
import { importArmTemplate } from './arm-import.js';

/** The repository root: data and built files are found from here, whatever the working directory. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const QUICKSTART = path.resolve(ROOT, '../shared/data/azure-shapes/quickstart_vnet-2subnets-service-endpoints-storage-integration_azuredeploy.json');

const sub = (v: string, s: string) => `[resourceId('Microsoft.Network/virtualNetworks/subnets', '${v}', '${s}')]`;
const id = (type: string, name: string) => `[resourceId('Microsoft.Network/${type}', '${name}')]`;

/** A template with every resource type the importer handles. */
const FULL = {
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  parameters: { prefix: { type: 'string', defaultValue: '10.1' }, region: { type: 'string', defaultValue: 'northeurope' } },
  variables: { appNsg: 'app-nsg' },
  resources: [
    {
      type: 'Microsoft.Network/networkSecurityGroups', name: "[variables('appNsg')]", location: "[parameters('region')]",
      properties: {
        securityRules: [
          { name: 'allow-storage', properties: { priority: 100, direction: 'Outbound', access: 'Allow', protocol: 'TCP', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: 'Storage.NorthEurope', destinationPortRanges: ['443', '8443-8444'] } },
          { name: 'web-from-lb', properties: { priority: 110, direction: 'Inbound', access: 'Allow', protocol: '*', sourceAddressPrefixes: ['52.10.0.0/16', '52.11.0.0/16'], sourcePortRange: '*', destinationApplicationSecurityGroups: [{ id: id('applicationSecurityGroups', 'web') }], destinationPortRange: '80' } },
        ],
      },
    },
    { type: 'Microsoft.Network/networkSecurityGroups/securityRules', name: 'app-nsg/deny-internet', properties: { priority: 4000, direction: 'Outbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '*' } },
    { type: 'Microsoft.Network/applicationSecurityGroups', name: 'web', location: 'northeurope', properties: {} },
    {
      type: 'Microsoft.Network/routeTables', name: 'forced', location: 'northeurope',
      properties: { disableBgpRoutePropagation: true, routes: [{ name: 'default', properties: { addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: "[concat(parameters('prefix'), '.2.4')]" } }] },
      resources: [{ type: 'routes', name: 'tagged', properties: { addressPrefix: 'Storage', nextHopType: 'Internet' } }],
    },
    { type: 'Microsoft.Network/publicIPAddresses', name: 'nat-ip', location: 'northeurope', properties: { publicIPAllocationMethod: 'Static', ipAddress: '20.50.0.1' } },
    { type: 'Microsoft.Network/natGateways', name: 'nat', location: 'northeurope', properties: { publicIpAddresses: [{ id: id('publicIPAddresses', 'nat-ip') }] } },
    {
      type: 'Microsoft.Network/serviceEndpointPolicies', name: 'only-logs', location: 'northeurope',
      properties: { serviceEndpointPolicyDefinitions: [{ name: 'd', properties: { service: 'Microsoft.Storage', serviceResources: ["[resourceId('Microsoft.Storage/storageAccounts', 'logs')]", '[resourceGroup().id]'] } }] },
    },
    {
      type: 'Microsoft.Network/virtualNetworks', name: 'hub', location: "[parameters('region')]",
      dependsOn: ["[resourceId('Microsoft.Network/networkSecurityGroups', variables('appNsg'))]"],
      properties: {
        addressSpace: { addressPrefixes: ["[concat(parameters('prefix'), '.0.0/16')]"] },
        subnets: [
          {
            name: 'app',
            properties: {
              addressPrefix: "[format('{0}.1.0/24', parameters('prefix'))]",
              networkSecurityGroup: { id: id('networkSecurityGroups', 'app-nsg') },
              routeTable: { id: id('routeTables', 'forced') },
              natGateway: { id: id('natGateways', 'nat') },
              serviceEndpoints: [{ service: 'Microsoft.Storage', locations: ['North Europe', 'westeurope'] }, { service: 'Microsoft.Sql' }, { service: 'Microsoft.KeyVault' }],
              serviceEndpointPolicies: [{ id: id('serviceEndpointPolicies', 'only-logs') }],
            },
          },
        ],
      },
    },
    { type: 'Microsoft.Network/virtualNetworks/subnets', name: 'hub/dmz', properties: { addressPrefix: '10.1.2.0/24', serviceEndpoints: [] } },
    { type: 'Microsoft.Network/virtualNetworks', name: 'spoke', location: 'northeurope', properties: { addressSpace: { addressPrefixes: ['10.2.0.0/16'] }, subnets: [{ name: 'a', properties: { addressPrefix: '10.2.0.0/24' } }], virtualNetworkPeerings: [{ name: 'to-hub', properties: { remoteVirtualNetwork: { id: id('virtualNetworks', 'hub') } } }] } },
    {
      type: 'Microsoft.Network/networkInterfaces', name: 'fw-nic', location: 'northeurope',
      properties: { enableIPForwarding: true, ipConfigurations: [{ name: 'c', properties: { privateIPAllocationMethod: 'Static', privateIPAddress: '10.1.2.4', subnet: { id: sub('hub', 'dmz') } } }] },
    },
    {
      type: 'Microsoft.Network/networkInterfaces', name: 'web-nic', location: 'northeurope',
      properties: {
        networkSecurityGroup: { id: id('networkSecurityGroups', 'app-nsg') },
        ipConfigurations: [{ name: 'c', properties: { privateIPAllocationMethod: 'Dynamic', subnet: { id: sub('hub', 'app') }, applicationSecurityGroups: [{ id: id('applicationSecurityGroups', 'web') }] } }],
      },
    },
    { type: 'Microsoft.Compute/virtualMachines', name: 'fw', location: 'northeurope', properties: { networkProfile: { networkInterfaces: [{ id: id('networkInterfaces', 'fw-nic') }] } } },
    { type: 'Microsoft.Compute/virtualMachines', name: 'web1', location: 'northeurope', properties: { osProfile: { adminPassword: "[parameters('noSuchParameter')]" }, networkProfile: { networkInterfaces: [{ id: id('networkInterfaces', 'web-nic') }] } } },
    {
      type: 'Microsoft.Storage/storageAccounts', name: 'logs', location: 'northeurope', kind: 'StorageV2',
      properties: { networkAcls: { bypass: 'None', defaultAction: 'Deny', virtualNetworkRules: [{ id: sub('hub', 'app'), action: 'Allow' }], ipRules: [{ value: '52.10.0.1', action: 'Allow' }] } },
    },
    {
      type: 'Microsoft.Sql/servers', name: 'db', location: 'northeurope', properties: { administratorLogin: 'x' },
      resources: [
        { type: 'virtualNetworkRules', name: 'app', properties: { virtualNetworkSubnetId: sub('hub', 'app') } },
        { type: 'firewallRules', name: 'office', properties: { startIpAddress: '52.20.0.0', endIpAddress: '52.20.1.255' } },
        { type: 'firewallRules', name: 'one', properties: { startIpAddress: '52.30.0.7', endIpAddress: '52.30.0.7' } },
        { type: 'firewallRules', name: 'AllowAllWindowsAzureIps', properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' } },
      ],
    },
    { type: 'Microsoft.KeyVault/vaults', name: 'kv', location: 'northeurope', properties: { networkAcls: { defaultAction: 'Deny', virtualNetworkRules: [{ id: sub('hub', 'app') }], ipRules: [{ value: '52.40.0.0/24' }] } } },
    { type: 'Microsoft.Network/virtualNetworks/subnets', name: 'hub/weird', properties: { addressPrefix: "[cidrSubnet('10.1.0.0/16', 24, 9)]" } },
  ],
};

describe('importArmTemplate', () => {
  it('imports every handled resource type with ARM property names', () => {
    const { network: net, warnings } = importArmTemplate(FULL);
    expect(net.vnets.map((v) => v.name)).toEqual(['hub', 'spoke']);
    const hub = net.vnets[0]!;
    expect(hub).toMatchObject({ region: 'northeurope', addressSpace: ['10.1.0.0/16'], subscription: 'default', tenant: 'default' });
    expect(hub.subnets.map((s) => s.name)).toEqual(['app', 'dmz']);
    expect(hub.subnets[0]).toEqual({
      name: 'app', prefix: '10.1.1.0/24', nsg: 'app-nsg', routeTable: 'forced', natGateway: { publicIps: ['20.50.0.1'] },
      // R-SE-REGION: northeurope and its pair westeurope are Storage's default scope there, so no locations are written.
      serviceEndpoints: [{ service: 'Microsoft.Storage' }, { service: 'Microsoft.Sql' }, { service: 'Microsoft.KeyVault' }],
      endpointPolicies: ['only-logs'],
    });
    // Peering listed once (the model's peering is symmetric).
    expect(hub.peerings).toEqual([]);
    expect(net.vnets[1]!.peerings).toEqual(['hub']);
    const rules = net.nsgs[0]!.rules;
    expect(rules.map((r) => r.name)).toEqual(['allow-storage', 'web-from-lb', 'deny-internet']);
    expect(rules[0]).toMatchObject({ protocol: 'Tcp', source: 'VirtualNetwork', destination: 'Storage.NorthEurope', destinationPorts: ['443', '8443-8444'] });
    expect(rules[1]).toMatchObject({ protocol: '*', source: ['52.10.0.0/16', '52.11.0.0/16'], destination: '*', destinationAsgs: ['web'] });
    // R-RT-8: the child route's addressPrefix is the service tag Storage: imported as a tag route.
    expect(net.routeTables).toEqual([{ name: 'forced', disableBgpRoutePropagation: true, routes: [
      { name: 'default', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.1.2.4' },
      { name: 'tagged', prefix: 'Storage', nextHopType: 'Internet' },
    ] }]);
    expect(net.vms).toEqual([
      { name: 'fw', subnet: 'hub/dmz', privateIp: '10.1.2.4', asgs: [], ipForwarding: true, appliance: { egress: 'Internet' } }, // assumed: a placeholder
      { name: 'web1', subnet: 'hub/app', privateIp: '10.1.1.4', asgs: ['web'], ipForwarding: false, nsg: 'app-nsg' },
    ]);
    expect(net.endpointPolicies).toEqual([{ name: 'only-logs', service: 'Microsoft.Storage', resources: ['logs'], resourceGroups: ['vnetsim'] }]);
    const byName = new Map(net.services.map((s) => [s.name, s]));
    expect(byName.get('logs')).toMatchObject({ type: 'Microsoft.Storage', region: 'northeurope', hostname: 'logs.blob.core.windows.net', firewall: { defaultAction: 'Deny', virtualNetworkRules: ['hub/app'], ipRules: ['52.10.0.1'] } });
    expect(byName.get('db')).toMatchObject({ type: 'Microsoft.Sql', firewall: { defaultAction: 'Deny', virtualNetworkRules: ['hub/app'], ipRules: ['52.20.0.0/23', '52.30.0.7'] } });
    expect(byName.get('kv')).toMatchObject({ type: 'Microsoft.KeyVault', hostname: 'kv.vault.azure.net', firewall: { defaultAction: 'Deny', virtualNetworkRules: ['hub/app'], ipRules: ['52.40.0.0/24'] } });

    const at = (p: string) => warnings.filter((w) => w.path === p).map((w) => w.message);
    // Unsupported expressions: reported at their JSON path and left out (the subnet is not guessed).
    expect(at('resources[17].properties.addressPrefix')[0]).toMatch(/cidrSubnet\(\) is not supported/);
    expect(hub.subnets.some((s) => s.name === 'weird')).toBe(false);
    expect(at('resources[3].resources[0].properties.addressPrefix')).toEqual([]);
    expect(at('resources[2]')).toEqual([]); // ASGs are modelled by the VMs' asgs
    expect(warnings.some((w) => /AllowAllWindowsAzureIps|allow Azure services/.test(w.message))).toBe(true);
    // Service addresses are picked and said; unused parts (osProfile) are never evaluated; dependsOn is no problem.
    expect(warnings.filter((w) => /this template has no address for the service/.test(w.message))).toHaveLength(3);
    expect(importArmTemplate(FULL).placeholders.filter((p) => p.kind === 'serviceAddress').map((p) => p.name).sort()).toEqual(['db', 'kv', 'logs']);
    expect(warnings.some((w) => /noSuchParameter|dependsOn/.test(w.path + w.message))).toBe(false);
    // The result is a valid network under the built-in tags, and its printed scenario passes the strict loader.
    expect(validateNetwork(net, builtinServiceTags())).toEqual([]);
    expect(parseScenario(formatScenarioYaml(scenarioOf('full', importArmTemplate(FULL))), 'full.yaml').network.vms).toHaveLength(2);
  });

  it('reports what it cannot take: copy count not evaluable, unknown references, non-templates', () => {
    const r = importArmTemplate({
      resources: [
        { type: 'Microsoft.Network/virtualNetworks', name: 'v', location: 'westeurope', copy: { name: 'l', count: '[length(variables(\'x\'))]' }, properties: {} },
        { type: 'Microsoft.Network/virtualNetworks', name: 'w', location: 'westeurope', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 's', properties: { addressPrefix: '10.0.0.0/24', networkSecurityGroup: { id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'elsewhere')]" } } }] } },
      ],
    });
    expect(r.network.vnets.map((v) => v.name)).toEqual(['w']);
    expect(r.network.vnets[0]!.subnets[0]!.nsg).toBeUndefined();
    expect(r.warnings).toContainEqual({ path: 'resources[0].copy.count', message: expect.stringMatching(/declares no such variable/) });
    expect(r.warnings).toContainEqual({ path: 'resources[1].properties.subnets[0].properties.networkSecurityGroup', message: 'NSG "elsewhere" is not defined in this template; left out' });
    expect(importArmTemplate([1, 2]).warnings[0]!.message).toMatch(/expected an ARM template/);
  });

  it('R-RT-8: a route whose addressPrefix is a service tag imports as a tag route; an unknown tag is reported and left out', () => {
    const r = importArmTemplate({
      resources: [
        { type: 'Microsoft.Network/routeTables', name: 'rt', location: 'westeurope', properties: { routes: [
          { name: 'sql-eus', properties: { addressPrefix: 'Sql.EastUS', nextHopType: 'None' } },
          { name: 'nowhere', properties: { addressPrefix: 'Storage.Atlantis', nextHopType: 'Internet' } },
          { name: 'typo', properties: { addressPrefix: '10.0.0.0/', nextHopType: 'Internet' } },
        ] } },
        { type: 'Microsoft.Network/virtualNetworks', name: 'v', location: 'westeurope', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 's', properties: { addressPrefix: '10.0.1.0/24', routeTable: { id: "[resourceId('Microsoft.Network/routeTables', 'rt')]" } } }] } },
      ],
    });
    expect(r.network.routeTables[0]!.routes).toEqual([{ name: 'sql-eus', prefix: 'Sql.EastUS', nextHopType: 'None' }]);
    expect(r.warnings).toContainEqual({ path: 'resources[0].properties.routes[1].properties.addressPrefix', message: expect.stringMatching(/service tag "Storage.Atlantis" is not in the tag set/) });
    expect(r.warnings).toContainEqual({ path: 'resources[0].properties.routes[2].properties.addressPrefix', message: expect.stringMatching(/neither a prefix nor a service tag/) });
    expect(validateNetwork(r.network, builtinServiceTags())).toEqual([]);
    const routing = compileRouting(r.network, builtinServiceTags());
    const row = routing.effectiveRoutesOf('v/s').find((x) => x.name === 'sql-eus')!;
    expect(row.addressPrefixes).toEqual([...builtinServiceTags().get('Sql.EastUS')!.v4, ...builtinServiceTags().get('Sql.EastUS')!.v6]);
    expect(routing.lookupRoute('v/s', '40.68.4.10')?.name).toBe('sql-eus');
  });

  it('property copy loops (copyIndex(name)) expand; conditions false leave a resource out; variable copy loops expand', () => {
    const r = importArmTemplate({
      parameters: { n: { type: 'int', defaultValue: 3 }, withSpoke: { type: 'bool', defaultValue: false } },
      variables: { copy: [{ name: 'names', count: 2, input: "[concat('x', copyIndex('names'))]" }] },
      resources: [
        {
          type: 'Microsoft.Network/virtualNetworks', name: 'hub', location: 'westeurope',
          properties: {
            addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
            copy: [{ name: 'subnets', count: "[parameters('n')]", input: { name: "[format('s{0}', copyIndex('subnets', 1))]", properties: { addressPrefix: "[format('10.0.{0}.0/24', copyIndex('subnets'))]" } } }],
          },
        },
        { condition: "[parameters('withSpoke')]", type: 'Microsoft.Network/virtualNetworks', name: 'spoke', location: 'westeurope', properties: { addressSpace: { addressPrefixes: ['10.1.0.0/16'] } } },
        { type: 'Microsoft.Network/networkSecurityGroups', name: "[variables('names')[0]]", location: 'westeurope', properties: {} },
      ],
    });
    expect(r.network.vnets.map((v) => v.name)).toEqual(['hub']);
    expect(r.network.vnets[0]!.subnets.map((s) => [s.name, s.prefix])).toEqual([['s1', '10.0.0.0/24'], ['s2', '10.0.1.0/24'], ['s3', '10.0.2.0/24']]);
    expect(r.network.nsgs.map((n) => n.name)).toEqual(['x0']);
  });

  it('parameters from a deploymentParameters document win over defaults', () => {
    const t = { parameters: { p: { type: 'string', defaultValue: '10.0.0.0/16' } }, resources: [{ type: 'Microsoft.Network/virtualNetworks', name: 'v', location: 'eastus', properties: { addressSpace: { addressPrefixes: ["[parameters('p')]"] } } }] };
    expect(importArmTemplate(t).network.vnets[0]!.addressSpace).toEqual(['10.0.0.0/16']);
    expect(importArmTemplate(t, { parameters: { p: { value: '10.9.0.0/16' } } }).network.vnets[0]!.addressSpace).toEqual(['10.9.0.0/16']);
  });

  it.skipIf(!existsSync(QUICKSTART))(`R-SE-ROUTE-1, R-SVC-1: the quickstart template imports; storage reachable from subnet1 through the endpoint, refused from subnet2 (reads ${QUICKSTART})`, () => {
    const result = importArmTemplate(JSON.parse(readFileSync(QUICKSTART, 'utf8')));
    const net = result.network;
    expect(net.vnets[0]!.subnets.map((s) => [s.name, s.prefix, s.serviceEndpoints])).toEqual([
      ['subnet1', '10.0.1.0/24', [{ service: 'Microsoft.Storage' }]],
      ['subnet2', '10.0.2.0/24', []],
    ]);
    expect(net.vms.map((v) => [v.name, v.subnet, v.privateIp])).toEqual([
      ['testvm0', 'VNet1/subnet1', '10.0.1.4'],
      ['testvm1', 'VNet1/subnet2', '10.0.2.4'],
    ]);
    const storage = net.services[0]!;
    expect(storage.firewall).toEqual({ defaultAction: 'Deny', virtualNetworkRules: ['VNet1/subnet1'], ipRules: [] });
    expect(result.warnings.some((w) => /uniqueString/.test(w.message))).toBe(false); // Azure's algorithm: the deployed name
    expect(storage.name).toMatch(/[a-z2-7]{13}/);

    // Through the strict loader: the printed scenario plus steps appended by the test.
    const doc = scenarioOf('quickstart', result);
    doc['steps'] = [
      { nextHop: { from: 'testvm0', to: storage.address }, expect: { nextHopType: 'VirtualNetworkServiceEndpoint' } },
      { nextHop: { from: 'testvm1', to: storage.address }, expect: { nextHopType: 'Internet' } },
      { connect: { from: 'testvm0', to: storage.name, protocol: 'Tcp', port: 443 }, expect: { disposition: 'Delivered', sourceSeenByService: '10.0.1.4' } },
      { connect: { from: 'testvm1', to: storage.name, protocol: 'Tcp', port: 443 }, expect: { disposition: 'ServiceDenied' } },
    ];
    const scenario = parseScenario(formatScenarioYaml(doc), 'quickstart.yaml');
    expect(scenario.steps).toHaveLength(4);

    const routing = compileRouting(scenario.network, scenario.serviceTags);
    expect(routing.nextHop('testvm0', storage.address).nextHopType).toBe('VirtualNetworkServiceEndpoint');
    expect(routing.nextHop('testvm1', storage.address).nextHopType).toBe('Internet');

    const run = runScenario(scenario);
    expect(run.steps.map((s) => [s.kind, s.passed, s.failures])).toEqual([
      ['nextHop', true, []],
      ['nextHop', true, []],
      ['connect', true, []],
      ['connect', true, []],
    ]);
    expect(run.passed).toBe(true);
  });
});
