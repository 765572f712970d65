import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinServiceTags, validateNetwork, type NetworkSpec } from '@vnetsim/core';
import { describe, expect, it } from 'vitest';
import { formatScenarioYaml, parseScenario, runScenario } from '@vnetsim/scenario';
import { importNetwork, ImportFormatError, detectFormat, type ImportNetworkResult } from './import-network.js';
import { importExitStatus } from './import-report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(HERE, '../fixtures/import/hub-spoke');
const SUB = '3f2b6c1e-8d4a-4e5b-9c7d-0a1b2c3d4e5f';
const json = (f: string) => JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as unknown;
/** addresses.yaml is a flat `name: address` map (the CLI reads it with a YAML parser; its tests cover that). */
const addresses = () =>
  new Map(
    readFileSync(path.join(FIXTURES, 'addresses.yaml'), 'utf8')
      .split('\n')
      .filter((l) => /^[\w-]+:/.test(l))
      .map((l) => l.split(':').map((x) => x.trim()) as [string, string]),
  );

function importAll(): Record<'arm' | 'terraform' | 'plan' | 'az', ImportNetworkResult> {
  const az = readdirSync(path.join(FIXTURES, 'az')).sort().map((f) => ({ file: `az/${f}`, doc: json(`az/${f}`) }));
  return {
    arm: importNetwork([{ file: 'arm-template.json', doc: json('arm-template.json') }], { addresses: addresses(), deployment: { subscriptionId: SUB, resourceGroup: 'rg-net' } }),
    terraform: importNetwork([{ file: 'terraform-state.json', doc: json('terraform-state.json') }], { addresses: addresses() }),
    // A plan has no ids (so no subscription) and unknown references: resolved through its configuration, module
    // outputs (module.spoke.app_subnet_id) and module arguments (var.hub_id) included; azurerm 3.x names.
    plan: importNetwork([{ file: 'terraform-plan.json', doc: json('terraform-plan.json') }], { addresses: addresses(), deployment: { subscriptionId: SUB } }),
    az: importNetwork(az, { addresses: addresses() }),
  };
}

/** A network with every list in name order (formats list resources in their own order). */
function normalized(net: NetworkSpec): NetworkSpec {
  const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name));
  return {
    ...net,
    vnets: byName(net.vnets).map((v) => ({ ...v, peerings: [...v.peerings].sort(), subnets: byName(v.subnets) })),
    nsgs: byName(net.nsgs),
    routeTables: byName(net.routeTables),
    vms: byName(net.vms),
    services: byName(net.services),
    endpointPolicies: byName(net.endpointPolicies),
  };
}

/** Steps whose verdicts the three imports must agree on. */
const STEPS = [
  { effectiveRoutes: { subnet: 'spoke/app' } },
  { effectiveRoutes: { subnet: 'spoke/data' } },
  { nextHop: { from: 'app-vm', to: '52.239.1.10' } },
  { nextHop: { from: 'data-vm', to: '52.239.1.10' } },
  { nextHop: { from: 'app-vm', to: '8.8.8.8' } },
  { connect: { from: 'app-vm', to: 'sth6nmuleri57zw', protocol: 'Tcp', port: 443 } },
  { connect: { from: 'data-vm', to: 'sth6nmuleri57zw', protocol: 'Tcp', port: 443 } },
  { connect: { from: 'app-vm', to: 'sql-app', protocol: 'Tcp', port: 1433 } },
  { connect: { from: 'data-vm', to: 'sql-app', protocol: 'Tcp', port: 1433 } },
  { connect: { from: 'app-vm', to: '8.8.8.8', protocol: 'Tcp', port: 443 } },
  { connect: { from: 'data-vm', to: '8.8.8.8', protocol: 'Tcp', port: 443 } },
  { send: { from: 'app-vm', to: '8.8.8.8', protocol: 'Udp', port: 53 } },
  { ipFlowVerify: { vm: 'app-vm', direction: 'Outbound', protocol: 'Tcp', local: '10.1.1.4:50000', remote: '52.239.1.10:443' } },
];

function verdicts(r: ImportNetworkResult) {
  const s = parseScenario(formatScenarioYaml({ name: 'x', network: r.network, steps: STEPS }), 'x.yaml');
  return runScenario(s).steps.map((st) => st.result);
}

describe('vnetsim import: one network in three formats', () => {
  const all = importAll();

  it('ARM (Bicep-built, symbolic names), Terraform state, Terraform plan and az exports give the same network', () => {
    for (const r of Object.values(all)) {
      expect(r.report.skipped).toEqual([]);
      expect(importExitStatus(r.report, r.nothingImported, false)).toBe(0);
      expect(validateNetwork(r.network, builtinServiceTags())).toEqual([]);
    }
    expect(normalized(all.terraform.network)).toEqual(normalized(all.arm.network));
    expect(normalized(all.plan.network)).toEqual(normalized(all.arm.network));
    expect(normalized(all.az.network)).toEqual(normalized(all.arm.network));
    const net = all.arm.network;
    // What the fixtures say, read back: forced tunnel, endpoints, NSG (inline + separate rule), firewalls, peering.
    expect(net.routeTables).toEqual([{ name: 'forced', disableBgpRoutePropagation: true, routes: [{ name: 'default-fw', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: '10.0.1.4' }] }]);
    const spoke = net.vnets.find((v) => v.name === 'spoke')!;
    expect(spoke.subnets.find((s) => s.name === 'app')).toEqual({
      name: 'app', prefix: '10.1.1.0/24', nsg: 'app-nsg', routeTable: 'forced', serviceEndpoints: [{ service: 'Microsoft.Sql' }, { service: 'Microsoft.Storage' }], endpointPolicies: [],
    });
    expect(spoke.subnets.find((s) => s.name === 'data')).toMatchObject({ routeTable: 'forced', serviceEndpoints: [] });
    expect(net.nsgs[0]!.rules.map((r) => r.name)).toEqual(['allow-storage', 'allow-sql', 'deny-internet']);
    expect(net.services.map((s) => [s.name, s.address, s.firewall])).toEqual([
      ['sth6nmuleri57zw', '52.239.1.10', { defaultAction: 'Deny', virtualNetworkRules: ['spoke/app'], ipRules: ['20.50.1.1'] }],
      ['sql-app', '40.68.0.10', { defaultAction: 'Deny', virtualNetworkRules: ['spoke/app'], ipRules: [] }],
    ]);
    expect(net.vms.find((v) => v.name === 'nva')).toMatchObject({ ipForwarding: true, publicIp: '20.61.0.10', appliance: { egress: 'Internet', publicIp: '20.61.0.10' } });
    expect(net.vnets.map((v) => v.subscription)).toEqual([SUB, SUB]);
  });

  it('R-SE-1, R-SVC-1, R-RT-4: the three imports give the same verdicts', () => {
    const arm = verdicts(all.arm);
    expect(verdicts(all.terraform)).toEqual(arm);
    expect(verdicts(all.plan)).toEqual(arm);
    expect(verdicts(all.az)).toEqual(arm);
    const d = (i: number) => (arm[i] as { disposition: string }).disposition;
    expect(d(5)).toBe('Delivered'); // app-vm -> storage through the endpoint
    expect(arm[5]).toMatchObject({ sourceSeenByService: '10.1.1.4' });
    expect(d(6)).toBe('ServiceDenied'); // data-vm: forced through the NVA, the account sees its public IP
    expect(arm[6]).toMatchObject({ sourceSeenByService: '20.61.0.10' });
    expect(d(7)).toBe('Delivered');
    expect(d(8)).toBe('ServiceDenied');
    expect(d(9)).toBe('DeniedOut'); // app-nsg deny-internet
    expect(d(10)).toBe('ExitsNetwork'); // data-vm via the NVA
    expect(arm[3]).toMatchObject({ nextHopType: 'VirtualAppliance', nextHopIp: '10.0.1.4' });
  });

  it('uniqueString(resourceGroup().id) names the storage account as Azure does (the name the Terraform state and az export carry)', () => {
    expect(all.arm.network.services[0]!.name).toBe(all.terraform.network.services.find((s) => s.type === 'Microsoft.Storage')!.name);
  });

  it('every placeholder is named; --addresses fills them', () => {
    const bare = importNetwork([{ file: 'arm-template.json', doc: json('arm-template.json') }], { deployment: { subscriptionId: SUB, resourceGroup: 'rg-net' } });
    expect(bare.report.placeholders.map((p) => [p.name, p.kind]).sort()).toEqual([
      ['nva', 'applianceEgress'],
      ['nva-pip', 'publicIp'],
      ['sql-app', 'serviceAddress'],
      ['sth6nmuleri57zw', 'serviceAddress'],
    ]);
    expect(all.arm.report.placeholders.map((p) => p.kind)).toEqual(['applianceEgress']);
  });

  it('detects the format from the content', () => {
    expect(detectFormat(json('arm-template.json'))).toBe('arm');
    expect(detectFormat(json('terraform-state.json'))).toBe('terraform');
    expect(detectFormat(json('az/vnets.json'))).toBe('az');
    expect(detectFormat({ hello: 1 })).toBeUndefined();
    expect(() => importNetwork([{ file: 'x.json', doc: { hello: 1 } }])).toThrow(ImportFormatError);
  });
});

// ------------------------------------------------------------------------------------------------------ Terraform
const rid = (t: string, ...n: string[]) => {
  const [ns, ...types] = t.split('/');
  return `/subscriptions/s1/resourceGroups/rg/providers/${ns}/${types.map((x, i) => `${x}/${n[i]}`).join('/')}`;
};
const tfRes = (address: string, type: string, values: Record<string, unknown>) => ({ address, mode: 'managed', type, name: address.split('.').pop(), values });

describe('Terraform', () => {
  it('a plan (planned_values, no ids) with azurerm 3.x names: references resolved through the configuration', () => {
    const plan = {
      format_version: '1.2',
      terraform_version: '1.5.7',
      planned_values: {
        root_module: {
          resources: [
            tfRes('azurerm_virtual_network.v', 'azurerm_virtual_network', { name: 'v', location: 'West Europe', resource_group_name: 'rg', address_space: ['10.0.0.0/16'] }),
            tfRes('azurerm_subnet.s', 'azurerm_subnet', { name: 's', resource_group_name: 'rg', virtual_network_name: 'v', address_prefixes: ['10.0.1.0/24'], service_endpoints: ['Microsoft.Storage'] }),
            tfRes('azurerm_route_table.rt', 'azurerm_route_table', { name: 'rt', location: 'westeurope', resource_group_name: 'rg', disable_bgp_route_propagation: true, route: [{ name: 'r', address_prefix: '0.0.0.0/0', next_hop_type: 'VirtualAppliance', next_hop_in_ip_address: '10.0.1.10' }] }),
            tfRes('azurerm_subnet_route_table_association.a', 'azurerm_subnet_route_table_association', {}),
            tfRes('azurerm_network_interface.n', 'azurerm_network_interface', { name: 'n', location: 'westeurope', resource_group_name: 'rg', enable_ip_forwarding: true, ip_configuration: [{ name: 'c', private_ip_address_allocation: 'Static', private_ip_address: '10.0.1.10' }] }),
            tfRes('azurerm_linux_virtual_machine.vm', 'azurerm_linux_virtual_machine', { name: 'vm', location: 'westeurope', resource_group_name: 'rg' }),
          ],
        },
      },
      configuration: {
        root_module: {
          resources: [
            { address: 'azurerm_subnet_route_table_association.a', expressions: { subnet_id: { references: ['azurerm_subnet.s.id', 'azurerm_subnet.s'] }, route_table_id: { references: ['azurerm_route_table.rt.id', 'azurerm_route_table.rt'] } } },
            { address: 'azurerm_network_interface.n', expressions: { ip_configuration: [{ subnet_id: { references: ['azurerm_subnet.s.id', 'azurerm_subnet.s'] } }] } },
            { address: 'azurerm_linux_virtual_machine.vm', expressions: { network_interface_ids: { references: ['azurerm_network_interface.n.id', 'azurerm_network_interface.n'] } } },
          ],
        },
      },
    };
    const r = importNetwork([{ file: 'plan.json', doc: plan }]);
    expect(r.report.format).toBe('terraform');
    expect(r.report.skipped).toEqual([]);
    expect(r.network.vnets[0]!.subnets[0]).toMatchObject({ name: 's', routeTable: 'rt', serviceEndpoints: [{ service: 'Microsoft.Storage' }] });
    expect(r.network.routeTables[0]!.disableBgpRoutePropagation).toBe(true);
    expect(r.network.vms).toEqual([{ name: 'vm', subnet: 'v/s', privateIp: '10.0.1.10', asgs: [], ipForwarding: true, appliance: { egress: 'Internet' } }]);
  });

  it('both spellings of BGP propagation and IP forwarding', () => {
    const state = (rt: Record<string, unknown>, nic: Record<string, unknown>) => ({
      format_version: '1.0',
      values: {
        root_module: {
          resources: [
            tfRes('azurerm_virtual_network.v', 'azurerm_virtual_network', { id: rid('Microsoft.Network/virtualNetworks', 'v'), name: 'v', location: 'westeurope', address_space: ['10.0.0.0/16'], subnet: [{ id: rid('Microsoft.Network/virtualNetworks/subnets', 'v', 's'), name: 's', address_prefixes: ['10.0.1.0/24'] }] }),
            tfRes('azurerm_route_table.rt', 'azurerm_route_table', { id: rid('Microsoft.Network/routeTables', 'rt'), name: 'rt', location: 'westeurope', route: [], ...rt }),
            tfRes('azurerm_network_interface.n', 'azurerm_network_interface', { id: rid('Microsoft.Network/networkInterfaces', 'n'), name: 'n', ...nic, ip_configuration: [{ name: 'c', subnet_id: rid('Microsoft.Network/virtualNetworks/subnets', 'v', 's'), private_ip_address: '10.0.1.5' }] }),
            tfRes('azurerm_windows_virtual_machine.vm', 'azurerm_windows_virtual_machine', { id: rid('Microsoft.Compute/virtualMachines', 'vm'), name: 'vm', network_interface_ids: [rid('Microsoft.Network/networkInterfaces', 'n')] }),
          ],
        },
      },
    });
    const v3 = importNetwork([{ file: 's.json', doc: state({ disable_bgp_route_propagation: true }, { enable_ip_forwarding: true }) }]).network;
    const v4 = importNetwork([{ file: 's.json', doc: state({ bgp_route_propagation_enabled: false }, { ip_forwarding_enabled: true }) }]).network;
    const v4on = importNetwork([{ file: 's.json', doc: state({ bgp_route_propagation_enabled: true }, { ip_forwarding_enabled: false }) }]).network;
    expect(v3.routeTables[0]!.disableBgpRoutePropagation).toBe(true);
    expect(v4.routeTables[0]!.disableBgpRoutePropagation).toBe(true);
    expect(v4on.routeTables[0]!.disableBgpRoutePropagation).toBe(false);
    expect([v3.vms[0]!.ipForwarding, v4.vms[0]!.ipForwarding, v4on.vms[0]!.ipForwarding]).toEqual([true, true, false]);
    expect(v3.vnets[0]!.subscription).toBe('s1');
  });

  it('key vault network_acls, endpoint policy, NAT gateway and its associations, NIC NSG/ASG associations, storage network rules, SQL firewall rule', () => {
    const sn = rid('Microsoft.Network/virtualNetworks/subnets', 'v', 's');
    const st = rid('Microsoft.Storage/storageAccounts', 'stx');
    const doc = {
      format_version: '1.0',
      values: {
        root_module: {
          resources: [
            tfRes('azurerm_virtual_network.v', 'azurerm_virtual_network', { id: rid('Microsoft.Network/virtualNetworks', 'v'), name: 'v', location: 'westeurope', address_space: ['10.0.0.0/16'] }),
            tfRes('azurerm_subnet.s', 'azurerm_subnet', { id: sn, name: 's', virtual_network_name: 'v', address_prefixes: ['10.0.1.0/24'], service_endpoints: ['Microsoft.KeyVault', 'Microsoft.Storage'], service_endpoint_policy_ids: [rid('Microsoft.Network/serviceEndpointPolicies', 'only-stx')] }),
            tfRes('azurerm_subnet_service_endpoint_storage_policy.p', 'azurerm_subnet_service_endpoint_storage_policy', { id: rid('Microsoft.Network/serviceEndpointPolicies', 'only-stx'), name: 'only-stx', location: 'westeurope', definition: [{ name: 'd', service: 'Microsoft.Storage', service_resources: [st] }] }),
            tfRes('azurerm_public_ip.nat', 'azurerm_public_ip', { id: rid('Microsoft.Network/publicIPAddresses', 'nat-ip'), name: 'nat-ip', location: 'westeurope', ip_address: '20.50.0.1', ip_version: 'IPv4' }),
            tfRes('azurerm_nat_gateway.n', 'azurerm_nat_gateway', { id: rid('Microsoft.Network/natGateways', 'nat'), name: 'nat', location: 'westeurope' }),
            tfRes('azurerm_nat_gateway_public_ip_association.n', 'azurerm_nat_gateway_public_ip_association', { id: 'x|y', nat_gateway_id: rid('Microsoft.Network/natGateways', 'nat'), public_ip_address_id: rid('Microsoft.Network/publicIPAddresses', 'nat-ip') }),
            tfRes('azurerm_subnet_nat_gateway_association.n', 'azurerm_subnet_nat_gateway_association', { id: sn, subnet_id: sn, nat_gateway_id: rid('Microsoft.Network/natGateways', 'nat') }),
            tfRes('azurerm_network_security_group.nic', 'azurerm_network_security_group', { id: rid('Microsoft.Network/networkSecurityGroups', 'nic-nsg'), name: 'nic-nsg', location: 'westeurope', security_rule: [] }),
            tfRes('azurerm_application_security_group.web', 'azurerm_application_security_group', { id: rid('Microsoft.Network/applicationSecurityGroups', 'web'), name: 'web', location: 'westeurope' }),
            tfRes('azurerm_network_interface.n', 'azurerm_network_interface', { id: rid('Microsoft.Network/networkInterfaces', 'n'), name: 'n', location: 'westeurope', ip_configuration: [{ name: 'c', subnet_id: sn, private_ip_address: '10.0.1.4' }] }),
            tfRes('azurerm_network_interface_security_group_association.n', 'azurerm_network_interface_security_group_association', { id: 'a', network_interface_id: rid('Microsoft.Network/networkInterfaces', 'n'), network_security_group_id: rid('Microsoft.Network/networkSecurityGroups', 'nic-nsg') }),
            tfRes('azurerm_network_interface_application_security_group_association.n', 'azurerm_network_interface_application_security_group_association', { id: 'b', network_interface_id: rid('Microsoft.Network/networkInterfaces', 'n'), application_security_group_id: rid('Microsoft.Network/applicationSecurityGroups', 'web') }),
            tfRes('azurerm_linux_virtual_machine.vm', 'azurerm_linux_virtual_machine', { id: rid('Microsoft.Compute/virtualMachines', 'vm'), name: 'vm', network_interface_ids: [rid('Microsoft.Network/networkInterfaces', 'n')] }),
            tfRes('azurerm_key_vault.kv', 'azurerm_key_vault', { id: rid('Microsoft.KeyVault/vaults', 'kv'), name: 'kv', location: 'westeurope', network_acls: [{ default_action: 'Deny', bypass: 'None', ip_rules: ['52.40.0.0/24'], virtual_network_subnet_ids: [sn] }] }),
            tfRes('azurerm_storage_account.stx', 'azurerm_storage_account', { id: st, name: 'stx', location: 'westeurope', network_rules: [] }),
            tfRes('azurerm_storage_account_network_rules.stx', 'azurerm_storage_account_network_rules', { id: st, storage_account_id: st, default_action: 'Deny', bypass: [], ip_rules: [], virtual_network_subnet_ids: [sn] }),
            tfRes('azurerm_mssql_server.db', 'azurerm_mssql_server', { id: rid('Microsoft.Sql/servers', 'db'), name: 'db', location: 'westeurope' }),
            tfRes('azurerm_mssql_firewall_rule.office', 'azurerm_mssql_firewall_rule', { id: rid('Microsoft.Sql/servers/firewallRules', 'db', 'office'), name: 'office', server_id: rid('Microsoft.Sql/servers', 'db'), start_ip_address: '52.20.0.0', end_ip_address: '52.20.1.255' }),
          ],
        },
      },
    };
    const r = importNetwork([{ file: 's.json', doc }]);
    expect(r.report.skipped).toEqual([]);
    const net = r.network;
    expect(net.vnets[0]!.subnets[0]).toEqual({
      name: 's', prefix: '10.0.1.0/24', natGateway: { publicIps: ['20.50.0.1'] }, serviceEndpoints: [{ service: 'Microsoft.KeyVault' }, { service: 'Microsoft.Storage' }], endpointPolicies: ['only-stx'],
    });
    expect(net.endpointPolicies).toEqual([{ name: 'only-stx', service: 'Microsoft.Storage', resources: ['stx'] }]);
    expect(net.vms).toEqual([{ name: 'vm', subnet: 'v/s', privateIp: '10.0.1.4', asgs: ['web'], ipForwarding: false, nsg: 'nic-nsg' }]);
    const svc = new Map(net.services.map((x) => [x.name, x]));
    expect(svc.get('kv')!.firewall).toEqual({ defaultAction: 'Deny', virtualNetworkRules: ['v/s'], ipRules: ['52.40.0.0/24'] });
    expect(svc.get('stx')!.firewall).toEqual({ defaultAction: 'Deny', virtualNetworkRules: ['v/s'], ipRules: [] });
    expect(svc.get('db')!.firewall).toEqual({ defaultAction: 'Deny', virtualNetworkRules: [], ipRules: ['52.20.0.0/23'] });
    expect(r.report.placeholders.filter((p) => p.kind === 'serviceAddress').map((p) => p.name).sort()).toEqual(['db', 'kv', 'stx']);
  });

  it('never silent: an Azure Firewall and a private endpoint are skipped with id and why (relevant), a log workspace is skipped as not network', () => {
    const doc = {
      format_version: '1.0',
      values: {
        root_module: {
          resources: [
            tfRes('azurerm_virtual_network.v', 'azurerm_virtual_network', { id: rid('Microsoft.Network/virtualNetworks', 'v'), name: 'v', location: 'westeurope', address_space: ['10.0.0.0/16'] }),
            tfRes('azurerm_firewall.fw', 'azurerm_firewall', { id: rid('Microsoft.Network/azureFirewalls', 'fw'), name: 'fw' }),
            tfRes('azurerm_private_endpoint.pe', 'azurerm_private_endpoint', { id: rid('Microsoft.Network/privateEndpoints', 'pe'), name: 'pe' }),
            tfRes('azurerm_log_analytics_workspace.l', 'azurerm_log_analytics_workspace', { id: rid('Microsoft.OperationalInsights/workspaces', 'l'), name: 'l' }),
            tfRes('azurerm_subnet_network_security_group_association.x', 'azurerm_subnet_network_security_group_association', { subnet_id: rid('Microsoft.Network/virtualNetworks/subnets', 'v', 'nope'), network_security_group_id: 'x' }),
          ],
        },
      },
    };
    const r = importNetwork([{ file: 's.json', doc }]);
    expect(r.report.skipped.map((s) => [s.id, s.relevant])).toEqual([
      ['azurerm_subnet_network_security_group_association.x', true], // an association has no id of its own: its address
      [rid('Microsoft.Network/azureFirewalls', 'fw'), true],
      [rid('Microsoft.Network/privateEndpoints', 'pe'), true],
      [rid('Microsoft.OperationalInsights/workspaces', 'l'), false],
    ]);
    expect(r.report.skipped[1]!.reason).toMatch(/azurerm_firewall is not modelled/);
    expect(r.report.warnings).toContainEqual({ path: 'values.root_module.resources[4].values.subnet_id', message: expect.stringMatching(/is not in the input/) });
    expect(importExitStatus(r.report, r.nothingImported, false)).toBe(1);
    expect(importExitStatus(r.report, r.nothingImported, true)).toBe(0);
  });
});

describe('ARM', () => {
  it('an inline part left out (a rule without priority, a subnet whose prefix cannot be evaluated) is a skipped entry, not only a warning', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      resources: [
        { type: 'Microsoft.Network/networkSecurityGroups', name: 'n', location: 'westeurope', properties: { securityRules: [{ name: 'no-priority', properties: { direction: 'Inbound', access: 'Allow', protocol: '*' } }] } },
        { type: 'Microsoft.Network/virtualNetworks', name: 'v', location: 'westeurope', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'ok', properties: { addressPrefix: '10.0.1.0/24' } }, { name: 'bad', properties: { addressPrefix: "[reference('x').prefix]" } }] } },
      ],
    };
    const r = importNetwork([{ file: 't.json', doc: t }]);
    expect(r.network.vnets[0]!.subnets.map((s) => s.name)).toEqual(['ok']);
    expect(r.report.skipped.map((s) => [s.type, s.id.split('/').slice(-2).join('/'), s.path, s.relevant])).toEqual([
      ['Microsoft.Network/networkSecurityGroups/securityRules', 'securityRules/no-priority', 'resources[0].properties.securityRules[0]', true],
      ['Microsoft.Network/virtualNetworks/subnets', 'subnets/bad', 'resources[1].properties.subnets[1]', true],
    ]);
    expect(r.report.skipped[1]!.reason).toMatch(/reference\(\) is not supported/);
    expect(importExitStatus(r.report, r.nothingImported, false)).toBe(1);
  });

  it('a Bicep module (nested deployment, inner scope) is expanded with its parameters; a linked template is skipped with why', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { prefix: { type: 'string', defaultValue: '10.7' } },
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'spokeModule',
          properties: {
            expressionEvaluationOptions: { scope: 'inner' },
            mode: 'Incremental',
            parameters: { space: { value: "[format('{0}.0.0/16', parameters('prefix'))]" }, names: { value: ['a', 'b'] } },
            template: {
              $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
              parameters: { space: { type: 'string' }, names: { type: 'array' } },
              resources: [
                {
                  type: 'Microsoft.Network/virtualNetworks',
                  name: 'spoke',
                  location: 'westeurope',
                  properties: {
                    addressSpace: { addressPrefixes: ["[parameters('space')]"] },
                    copy: [{ name: 'subnets', count: "[length(parameters('names'))]", input: { name: "[parameters('names')[copyIndex('subnets')]]", properties: { addressPrefix: "[cidrHost(parameters('space'), copyIndex('subnets'))]" } } }],
                  },
                },
                { type: 'Microsoft.Network/networkSecurityGroups', name: 'n', location: 'westeurope', properties: { securityRules: [] } },
              ],
            },
          },
        },
        { type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'linked', properties: { mode: 'Incremental', templateLink: { uri: 'https://example.org/t.json' } } },
      ],
    };
    const r = importNetwork([{ file: 't.json', doc: t }]);
    expect(r.network.vnets.map((v) => [v.name, v.addressSpace])).toEqual([['spoke', ['10.7.0.0/16']]]);
    expect(r.network.nsgs.map((n) => n.name)).toEqual(['n']);
    expect(r.report.imported.map((x) => x.path)).toContain('resources[0]');
    // cidrHost() is not evaluated: the subnets' prefixes are reported at their path inside the module.
    expect(r.report.warnings.some((w) => w.path.startsWith('resources[0].properties.template.resources[0]') && /cidrHost/.test(w.message))).toBe(true);
    // The loop's subnets whose prefix cannot be evaluated are listed, not silently missing (the issue's zero subnets).
    expect(r.report.skipped.map((x) => [x.path, x.relevant])).toEqual([
      ['resources[0].properties.template.resources[0].properties.subnets[0]', true],
      ['resources[0].properties.template.resources[0].properties.subnets[1]', true],
      ['resources[1]', true],
    ]);
    expect(r.report.skipped[0]!.id).toMatch(/virtualNetworks\/spoke\/subnets\/a$/);
    expect(r.report.skipped[2]!.reason).toMatch(/linked template/);
  });

  it('symbolic names: an `existing` resource is skipped (deployed elsewhere); a false condition is not deployed', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      languageVersion: '2.0',
      resources: {
        hub: { existing: true, type: 'Microsoft.Network/virtualNetworks', apiVersion: '2023-09-01', name: 'hub' },
        spoke: { type: 'Microsoft.Network/virtualNetworks', apiVersion: '2023-09-01', name: 'spoke', location: 'westeurope', properties: { addressSpace: { addressPrefixes: ['10.1.0.0/16'] } } },
        maybe: { condition: "[equals('a', 'b')]", type: 'Microsoft.Network/virtualNetworks', name: 'maybe', location: 'westeurope', properties: { addressSpace: { addressPrefixes: ['10.2.0.0/16'] } } },
      },
    };
    const r = importNetwork([{ file: 't.json', doc: t }]);
    expect(r.network.vnets.map((v) => v.name)).toEqual(['spoke']);
    expect(r.report.skipped).toEqual([expect.objectContaining({ path: 'resources.hub', reason: expect.stringMatching(/existing/), relevant: true })]);
  });
});

// ------------------------------------------------------------------------------------------------------ az
describe('az exports', () => {
  it('az network nat gateway list, az keyvault show (properties nested), az network vnet subnet list: read as az prints them', () => {
    const sn = rid('Microsoft.Network/virtualNetworks/subnets', 'v', 's');
    const r = importNetwork([
      { file: 'vnets.json', doc: [{ id: rid('Microsoft.Network/virtualNetworks', 'v'), name: 'v', type: 'Microsoft.Network/virtualNetworks', location: 'westeurope', addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [] }] },
      { file: 'subnets.json', doc: [{ id: sn, name: 's', type: 'Microsoft.Network/virtualNetworks/subnets', addressPrefix: '10.0.1.0/24', natGateway: { id: rid('Microsoft.Network/natGateways', 'nat') }, serviceEndpoints: [{ service: 'Microsoft.KeyVault', locations: ['*'] }] }] },
      { file: 'nat.json', doc: [{ id: rid('Microsoft.Network/natGateways', 'nat'), name: 'nat', type: 'Microsoft.Network/natGateways', location: 'westeurope', publicIpAddresses: [{ id: rid('Microsoft.Network/publicIPAddresses', 'nat-ip') }], subnets: [{ id: sn }] }] },
      { file: 'pips.json', doc: [{ id: rid('Microsoft.Network/publicIPAddresses', 'nat-ip'), name: 'nat-ip', type: 'Microsoft.Network/publicIPAddresses', location: 'westeurope', ipAddress: '20.50.0.1', publicIPAddressVersion: 'IPv4' }] },
      { file: 'kv.json', doc: { id: rid('Microsoft.KeyVault/vaults', 'kv'), name: 'kv', type: 'Microsoft.KeyVault/vaults', location: 'westeurope', properties: { networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [{ value: '52.40.0.0/24' }], virtualNetworkRules: [{ id: sn }] } } } },
    ]);
    expect(r.report.format).toBe('az');
    expect(r.report.skipped).toEqual([]);
    expect(r.network.vnets[0]!.subnets).toEqual([{ name: 's', prefix: '10.0.1.0/24', natGateway: { publicIps: ['20.50.0.1'] }, serviceEndpoints: [{ service: 'Microsoft.KeyVault', locations: ['*'] }], endpointPolicies: [] }]);
    expect(r.network.services[0]).toMatchObject({ name: 'kv', type: 'Microsoft.KeyVault', resourceGroup: 'rg', subscription: 's1', firewall: { defaultAction: 'Deny', virtualNetworkRules: ['v/s'], ipRules: ['52.40.0.0/24'] } });
  });

  it('az resource list (no properties) and keyvault list (no network rules) are skipped with why; Resource Graph rows with properties import', () => {
    const r = importNetwork([
      { file: 'resources.json', doc: [{ id: rid('Microsoft.Network/virtualNetworks', 'a'), name: 'a', type: 'Microsoft.Network/virtualNetworks', location: 'westeurope', properties: null }] },
      { file: 'kv.json', doc: [{ id: rid('Microsoft.KeyVault/vaults', 'kv'), name: 'kv', type: 'Microsoft.KeyVault/vaults', location: 'westeurope' }] },
      {
        file: 'graph.json',
        doc: { count: 1, data: [{ id: rid('Microsoft.Network/virtualNetworks', 'g'), name: 'g', type: 'microsoft.network/virtualnetworks', location: 'westeurope', properties: { addressSpace: { addressPrefixes: ['10.9.0.0/16'] }, subnets: [{ name: 's', properties: { addressPrefix: '10.9.1.0/24' } }] } }] },
      },
    ]);
    expect(r.network.vnets.map((v) => [v.name, v.subnets.map((s) => s.prefix)])).toEqual([['g', ['10.9.1.0/24']]]);
    expect(r.report.skipped.map((s) => [s.path, s.reason])).toEqual([
      ['resources.json[0]', 'the export has no properties'],
      ['kv.json[0]', 'no network rules in this export (use az keyvault show)'],
    ]);
  });
});

