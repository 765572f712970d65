// `terraform show -json` (a state: `values`, or a plan: `planned_values`, nested child_modules) -> resources in ARM's
// REST shape, for buildNetwork. azurerm 3.x and 4.x attribute names. References are resource ids; in a plan, ids are
// unknown until apply, so each resource gets the id Azure will give it and references are resolved through the
// plan's `configuration` (the expression's `references`). Every resource is accounted for: converted, applied to
// another (associations), or skipped with why. Warnings name the user's JSON path (`values.root_module.resources[3]
// .values.address_prefixes`).

import { ArmExprError, DEFAULT_DEPLOYMENT, parseResourceId, type ArmDeployment, type ArmScope } from './arm-expr.js';
import { setOrigin, Val, type Warnings } from './arm-reader.js';
import type { ArmResource } from './arm-resources.js';
import type { ImportedResource, SkippedResource } from './import-report.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Values read from Terraform are data, never ARM expressions. */
export function literalScope(deployment: ArmDeployment = DEFAULT_DEPLOYMENT): ArmScope {
  const no = (what: string) => () => {
    throw new ArmExprError(`${what} exists only in ARM templates`);
  };
  return { parameter: no('parameters()'), variable: no('variables()'), deployment };
}

export interface ReaderResult {
  resources: ArmResource[];
  /** Resources the reader applied to others (associations) or left out itself. */
  imported: ImportedResource[];
  skipped: SkippedResource[];
}

interface TfResource {
  address: string;
  type: string;
  mode: string;
  values: Record<string, unknown>;
  /** JSON path of the resource object. */
  path: string;
  /** Module prefix of its address (`module.hub.`), for configuration references. */
  module: string;
}

/** True for a document `terraform show -json` prints. */
export function isTerraformDocument(doc: unknown): boolean {
  return isObject(doc) && ('format_version' in doc || 'terraform_version' in doc) && (isObject(doc['values']) || isObject(doc['planned_values']) || 'values' in doc);
}

function collect(doc: Record<string, unknown>, w: Warnings): { list: TfResource[]; root: string } {
  const plan = isObject(doc['planned_values']);
  const rootKey = plan ? 'planned_values' : 'values';
  const list: TfResource[] = [];
  const walk = (m: unknown, path: string, depth: number) => {
    if (!isObject(m)) return;
    if (depth > 32) {
      w.add(path, 'modules nested more than 32 deep; left out');
      return;
    }
    const res = m['resources'];
    if (res !== undefined && !Array.isArray(res)) w.add(`${path}.resources`, 'expected a list of resources; left out');
    (Array.isArray(res) ? res : []).forEach((r, i) => {
      const p = `${path}.resources[${i}]`;
      if (!isObject(r) || typeof r['type'] !== 'string' || typeof r['address'] !== 'string' || !isObject(r['values'])) {
        w.add(p, 'expected a resource with address, type and values; left out');
        return;
      }
      const address = r['address'];
      const mod = /^((?:module\.[^.]+(?:\[[^\]]*\])?\.)*)/.exec(address)?.[1] ?? '';
      list.push({ address, type: r['type'], mode: typeof r['mode'] === 'string' ? r['mode'] : 'managed', values: r['values'], path: p, module: mod });
    });
    const kids = m['child_modules'];
    (Array.isArray(kids) ? kids : []).forEach((k, i) => walk(k, `${path}.child_modules[${i}]`, depth + 1));
  };
  const values = doc[rootKey];
  if (!isObject(values) || !isObject(values['root_module'])) w.add(rootKey, 'expected { root_module: { resources } }; nothing imported');
  else walk(values['root_module'], `${rootKey}.root_module`, 0);
  return { list, root: rootKey };
}

// ------------------------------------------------------------------------------------------------------ configuration
/** What a plan's `configuration` says: each resource's `expressions`, each module call's arguments and outputs. */
interface Config {
  /** By full address (`module.hub.azurerm_subnet.app`). */
  resources: Map<string, Record<string, unknown>>;
  /** By module prefix (`module.hub.`): the call's argument expressions (in the parent) and the module's outputs. */
  calls: Map<string, { args: Record<string, unknown>; outputs: Record<string, unknown> }>;
}

function readConfig(doc: Record<string, unknown>): Config {
  const out: Config = { resources: new Map(), calls: new Map() };
  const walk = (m: unknown, prefix: string, depth: number) => {
    if (!isObject(m) || depth > 32) return;
    for (const r of Array.isArray(m['resources']) ? m['resources'] : [])
      if (isObject(r) && typeof r['address'] === 'string' && isObject(r['expressions'])) out.resources.set(prefix + r['address'], r['expressions']);
    if (isObject(m['module_calls']))
      for (const [name, call] of Object.entries(m['module_calls'])) {
        if (!isObject(call)) continue;
        const inner = `${prefix}module.${name}.`;
        const mod = isObject(call['module']) ? call['module'] : {};
        out.calls.set(inner, { args: isObject(call['expressions']) ? call['expressions'] : {}, outputs: isObject(mod['outputs']) ? mod['outputs'] : {} });
        walk(mod, inner, depth + 1);
      }
  };
  if (isObject(doc['configuration'])) walk(doc['configuration']['root_module'], '', 0);
  return out;
}

/** An address without instance keys (`module.a[0].azurerm_subnet.s["x"]` -> `module.a.azurerm_subnet.s`). */
const norm = (a: string) => a.replace(/\[[^\]]*\]/g, '');

// ------------------------------------------------------------------------------------------------------ converting
interface Converted {
  tf: TfResource;
  armType: string;
  names: string[];
  obj: Record<string, unknown>;
  id: string;
  resourceGroup?: string;
}

/** ARM type and names of a Terraform resource; undefined for types the reader does not convert. */
const ARM_TYPES: Record<string, { type: string; parents?: string[] }> = {
  azurerm_resource_group: { type: 'Microsoft.Resources/resourceGroups' },
  azurerm_virtual_network: { type: 'Microsoft.Network/virtualNetworks' },
  azurerm_subnet: { type: 'Microsoft.Network/virtualNetworks/subnets', parents: ['virtual_network_name'] },
  azurerm_network_security_group: { type: 'Microsoft.Network/networkSecurityGroups' },
  azurerm_network_security_rule: { type: 'Microsoft.Network/networkSecurityGroups/securityRules', parents: ['network_security_group_name'] },
  azurerm_route_table: { type: 'Microsoft.Network/routeTables' },
  azurerm_route: { type: 'Microsoft.Network/routeTables/routes', parents: ['route_table_name'] },
  azurerm_virtual_network_peering: { type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings', parents: ['virtual_network_name'] },
  azurerm_network_interface: { type: 'Microsoft.Network/networkInterfaces' },
  azurerm_public_ip: { type: 'Microsoft.Network/publicIPAddresses' },
  azurerm_nat_gateway: { type: 'Microsoft.Network/natGateways' },
  azurerm_linux_virtual_machine: { type: 'Microsoft.Compute/virtualMachines' },
  azurerm_windows_virtual_machine: { type: 'Microsoft.Compute/virtualMachines' },
  azurerm_virtual_machine: { type: 'Microsoft.Compute/virtualMachines' },
  azurerm_storage_account: { type: 'Microsoft.Storage/storageAccounts' },
  azurerm_mssql_server: { type: 'Microsoft.Sql/servers' },
  azurerm_sql_server: { type: 'Microsoft.Sql/servers' },
  azurerm_mssql_virtual_network_rule: { type: 'Microsoft.Sql/servers/virtualNetworkRules', parents: ['server_id'] },
  azurerm_mssql_firewall_rule: { type: 'Microsoft.Sql/servers/firewallRules', parents: ['server_id'] },
  azurerm_key_vault: { type: 'Microsoft.KeyVault/vaults' },
  azurerm_subnet_service_endpoint_storage_policy: { type: 'Microsoft.Network/serviceEndpointPolicies' },
  azurerm_application_security_group: { type: 'Microsoft.Network/applicationSecurityGroups' },
};

/** Associations: resources that set a property of another. */
const ASSOCIATIONS: Record<string, { target: string; value: string; what: string }> = {
  azurerm_subnet_network_security_group_association: { target: 'subnet_id', value: 'network_security_group_id', what: 'networkSecurityGroup' },
  azurerm_subnet_route_table_association: { target: 'subnet_id', value: 'route_table_id', what: 'routeTable' },
  azurerm_subnet_nat_gateway_association: { target: 'subnet_id', value: 'nat_gateway_id', what: 'natGateway' },
  azurerm_nat_gateway_public_ip_association: { target: 'nat_gateway_id', value: 'public_ip_address_id', what: 'publicIpAddresses' },
  azurerm_network_interface_security_group_association: { target: 'network_interface_id', value: 'network_security_group_id', what: 'networkSecurityGroup' },
  azurerm_network_interface_application_security_group_association: { target: 'network_interface_id', value: 'application_security_group_id', what: 'applicationSecurityGroups' },
  azurerm_storage_account_network_rules: { target: 'storage_account_id', value: 'default_action', what: 'networkAcls' },
};

/** Terraform types (not converted) that still decide where packets go: left out, exit 1. */
const RELEVANT_TF = /^azurerm_(firewall|.*gateway|private_endpoint|lb|bastion|virtual_hub|vpn|express_route|application_gateway|.*scale_set|.*network_interface|.*subnet|route|.*virtual_network|private_link|network_manager|network_ddos|dns_resolver|ip_group|web_application_firewall)/;

export function readTerraform(doc: unknown, file: string, w: Warnings, deployment: ArmDeployment = DEFAULT_DEPLOYMENT): ReaderResult {
  const out: ReaderResult = { resources: [], imported: [], skipped: [] };
  if (!isObject(doc)) {
    w.add('', 'expected the JSON of `terraform show -json`; nothing imported');
    return out;
  }
  const { list } = collect(doc, w);
  const config = readConfig(doc);
  const scope = literalScope(deployment);
  // The subscription of any stated id (a plan states none: the deployment's).
  let sub = deployment.subscriptionId;
  for (const r of list) {
    const m = typeof r.values['id'] === 'string' ? /^\/subscriptions\/([^/]+)/i.exec(r.values['id']) : null;
    if (m !== null) {
      sub = m[1]!;
      break;
    }
  }
  const V = (r: TfResource, key: string) => `${r.path}.values.${key}`;
  const str = (r: TfResource, key: string): string | undefined => {
    const v = r.values[key];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };

  // Ids: stated (state), or the one Azure will give (plan).
  const conv: Converted[] = [];
  const byAddress = new Map<string, Converted>();
  const byId = new Map<string, Converted>();
  const tfLabel = (r: TfResource): ImportedResource => ({ id: str(r, 'id') ?? r.address, type: r.type, path: r.path });
  // Parents first: a child named by its parent's id (server_id) needs the parent's names.
  const ordered = [...list].sort((a, b) => (ARM_TYPES[a.type]?.parents === undefined ? 0 : 1) - (ARM_TYPES[b.type]?.parents === undefined ? 0 : 1));
  for (const r of ordered) {
    const spec = ARM_TYPES[r.type];
    if (spec === undefined) continue;
    const name = str(r, 'name');
    if (name === undefined) {
      w.add(V(r, 'name'), `${r.address}: no name; left out`);
      out.skipped.push({ ...tfLabel(r), reason: 'no name', relevant: true });
      continue;
    }
    const parents: string[] = [];
    for (const p of spec.parents ?? []) {
      const v = str(r, p);
      // server_id names the parent by id; *_name by name.
      const n = v === undefined ? undefined : p.endsWith('_id') ? parseResourceId(v)?.names[0] : v;
      if (n !== undefined) parents.push(n);
    }
    if (parents.length !== (spec.parents ?? []).length) {
      const ref = resolveRef(r, spec.parents![0]!);
      const n = ref === undefined ? undefined : byAddress.get(ref)?.names[0] ?? addressName(ref);
      if (n !== undefined) parents.push(n);
    }
    if (parents.length !== (spec.parents ?? []).length) {
      w.add(V(r, spec.parents![0]!), `${r.address}: the parent resource is unknown; left out`);
      out.skipped.push({ ...tfLabel(r), reason: `${spec.parents![0]} is unknown`, relevant: true });
      continue;
    }
    const names = [...parents, name];
    const rg = str(r, 'resource_group_name') ?? (typeof r.values['id'] === 'string' ? parseResourceId(r.values['id'])?.resourceGroup : undefined) ?? deployment.resourceGroup;
    const [ns, ...types] = spec.type.split('/');
    const id =
      str(r, 'id') ??
      (spec.type === 'Microsoft.Resources/resourceGroups'
        ? `/subscriptions/${sub}/resourceGroups/${name}`
        : `/subscriptions/${sub}/resourceGroups/${rg}/providers/${ns}/${types.map((t, i) => `${t}/${names[i]}`).join('/')}`);
    const c: Converted = { tf: r, armType: spec.type, names, obj: {}, id, resourceGroup: rg };
    if (byId.has(id.toLowerCase())) {
      // A data source and the managed resource (or two modules) naming one resource: one resource.
      out.imported.push(tfLabel(r));
      continue;
    }
    conv.push(c);
    if (!byAddress.has(norm(r.address))) byAddress.set(norm(r.address), c);
    byAddress.set(r.address, c);
    byId.set(id.toLowerCase(), c);
  }

  function addressName(ref: string): string | undefined {
    return byAddress.get(ref)?.names[byAddress.get(ref)!.names.length - 1];
  }

  /** The addresses a configuration expression at `keys` references (a plan's unknown value). */
  function resolveRefs(r: TfResource, keys: Array<string | number>): string[] {
    let e: unknown = config.resources.get(norm(r.address));
    for (const k of keys) {
      if (Array.isArray(e)) {
        e = e[typeof k === 'number' ? k : 0];
        if (typeof k === 'number') continue;
      }
      if (isObject(e)) e = e[String(k)];
      else return [];
    }
    return refsOf(e, norm(r.module), 0);
  }

  /**
   * The resources an expression references, followed through module outputs (`module.spoke.subnet_id`) and module
   * arguments (`var.hub_id`), from module `prefix` (`module.spoke.`, normalized).
   */
  function refsOf(e: unknown, prefix: string, depth: number): string[] {
    if (Array.isArray(e)) e = e[0];
    if (!isObject(e) || !Array.isArray(e['references']) || depth > 16) return [];
    const found: string[] = [];
    const add = (a: string) => {
      if (!found.includes(a)) found.push(a);
    };
    for (const ref of e['references']) {
      if (typeof ref !== 'string') continue;
      const v = /^var\.([^.[]+)/.exec(ref);
      if (v !== null) {
        const call = config.calls.get(prefix);
        const parent = prefix.replace(/module\.[^.]+\.$/, '');
        if (call !== undefined) for (const a of refsOf(call.args[v[1]!], parent, depth + 1)) add(a);
        continue;
      }
      const m = /^module\.([^.[]+)(?:\[[^\]]*\])?\.([^.[]+)/.exec(ref);
      if (m !== null) {
        const inner = `${prefix}module.${m[1]}.`;
        const out = config.calls.get(inner)?.outputs[m[2]!];
        if (isObject(out)) for (const a of refsOf(out['expression'], inner, depth + 1)) add(a);
        continue;
      }
      // `azurerm_subnet.app.id`, `azurerm_subnet.app["x"]`, `data.azurerm_subnet.s.id`: the resource is type.name[key].
      const res = /^((?:data\.)?[a-z0-9_]+\.[^.[]+(?:\[[^\]]*\])?)/.exec(ref)?.[1];
      if (res === undefined) continue;
      const full = prefix + res;
      const hit = byAddress.get(full) ?? byAddress.get(norm(full));
      if (hit !== undefined) add(hit.tf.address);
    }
    return found;
  }
  function resolveRef(r: TfResource, key: string): string | undefined {
    return resolveRefs(r, [key])[0];
  }

  /** The id at `values[key]` (or in block `block[i]`), resolved through the configuration when unknown. */
  const idAt = (r: TfResource, key: string, block?: [string, number]): string | undefined => {
    const src = block === undefined ? r.values : (r.values[block[0]] as unknown[] | undefined)?.[block[1]];
    const v = isObject(src) ? src[key] : undefined;
    if (typeof v === 'string' && v !== '') return v;
    const refs = resolveRefs(r, block === undefined ? [key] : [block[0], block[1], key]);
    const hit = refs[0] === undefined ? undefined : byAddress.get(refs[0]);
    return hit?.id;
  };
  const idsAt = (r: TfResource, key: string): string[] => {
    const v = r.values[key];
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
    return resolveRefs(r, [key]).map((a) => byAddress.get(a)!.id);
  };

  /** An object whose keys stand at the given Terraform paths. */
  const mk = (path: string | undefined, entries: Array<[string, unknown, string?]>): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    const keys: Record<string, string> = {};
    for (const [k, v, p] of entries) {
      if (v === undefined || v === null || v === '') continue;
      o[k] = v;
      if (p !== undefined) keys[k] = p;
    }
    return setOrigin(o, path, keys);
  };
  const ref = (id: string | undefined, path: string) => (id === undefined ? undefined : mk(path, [['id', id, path]]));
  const refs = (ids: string[], path: string) => ids.map((id, i) => mk(`${path}[${i}]`, [['id', id, `${path}[${i}]`]]));
  const blocks = (r: TfResource, key: string): Array<[Record<string, unknown>, string, number]> => {
    const v = r.values[key];
    if (!Array.isArray(v)) return [];
    return v.flatMap((b, i) => (isObject(b) ? [[b, `${V(r, key)}[${i}]`, i] as [Record<string, unknown>, string, number]] : []));
  };
  const nonEmpty = (v: unknown) => (Array.isArray(v) && v.length > 0 ? v : undefined);

  const ruleProps = (b: Record<string, unknown>, p: string) =>
    mk(p, [
      ['priority', b['priority'], `${p}.priority`],
      ['direction', b['direction'], `${p}.direction`],
      ['access', b['access'], `${p}.access`],
      ['protocol', b['protocol'], `${p}.protocol`],
      ['sourcePortRange', b['source_port_range'], `${p}.source_port_range`],
      ['sourcePortRanges', nonEmpty(b['source_port_ranges']), `${p}.source_port_ranges`],
      ['destinationPortRange', b['destination_port_range'], `${p}.destination_port_range`],
      ['destinationPortRanges', nonEmpty(b['destination_port_ranges']), `${p}.destination_port_ranges`],
      ['sourceAddressPrefix', b['source_address_prefix'], `${p}.source_address_prefix`],
      ['sourceAddressPrefixes', nonEmpty(b['source_address_prefixes']), `${p}.source_address_prefixes`],
      ['destinationAddressPrefix', b['destination_address_prefix'], `${p}.destination_address_prefix`],
      ['destinationAddressPrefixes', nonEmpty(b['destination_address_prefixes']), `${p}.destination_address_prefixes`],
      ['sourceApplicationSecurityGroups', strList(b['source_application_security_group_ids']).map((id) => ({ id })), `${p}.source_application_security_group_ids`],
      ['destinationApplicationSecurityGroups', strList(b['destination_application_security_group_ids']).map((id) => ({ id })), `${p}.destination_application_security_group_ids`],
      ['description', b['description'], `${p}.description`],
    ]);
  /** Subnet ids of a firewall block: stated (state), or its configuration's references (plan). */
  const idsIn = (r: TfResource, keys: Array<string | number>, stated: unknown): string[] => {
    const list = strList(stated);
    return list.length > 0 ? list : resolveRefs(r, keys).map((a) => byAddress.get(a)!.id);
  };
  const acls = (b: Record<string, unknown>, p: string, subnetKey: string, subnetIds: string[]) =>
    mk(p, [
      ['defaultAction', b['default_action'], `${p}.default_action`],
      ['bypass', Array.isArray(b['bypass']) ? (b['bypass'].length === 0 ? 'None' : b['bypass'].join(', ')) : b['bypass'], `${p}.bypass`],
      ['ipRules', strList(b['ip_rules']).map((v) => ({ value: v })), `${p}.ip_rules`],
      ['virtualNetworkRules', refs(subnetIds, `${p}.${subnetKey}`), `${p}.${subnetKey}`],
    ]);

  for (const c of conv) {
    const r = c.tf;
    const x = r.values;
    const props: Array<[string, unknown, string?]> = [];
    switch (r.type) {
      case 'azurerm_virtual_network':
        props.push(['addressSpace', mk(V(r, 'address_space'), [['addressPrefixes', x['address_space'], V(r, 'address_space')]])]);
        props.push([
          'subnets',
          blocks(r, 'subnet').map(([b, p]) =>
            mk(p, [
              ['name', b['name'], `${p}.name`],
              ['properties', mk(p, [
                ['addressPrefixes', nonEmpty(b['address_prefixes']) ?? (typeof b['address_prefix'] === 'string' ? [b['address_prefix']] : undefined), `${p}.address_prefixes`],
                ['networkSecurityGroup', ref(typeof b['security_group'] === 'string' && b['security_group'] !== '' ? b['security_group'] : undefined, `${p}.security_group`)],
                ['routeTable', ref(typeof b['route_table_id'] === 'string' && b['route_table_id'] !== '' ? b['route_table_id'] : undefined, `${p}.route_table_id`)],
              ])],
            ]),
          ),
          V(r, 'subnet'),
        ]);
        break;
      case 'azurerm_subnet':
        props.push(['addressPrefixes', nonEmpty(x['address_prefixes']) ?? (typeof x['address_prefix'] === 'string' ? [x['address_prefix']] : undefined), V(r, 'address_prefixes')]);
        props.push(['serviceEndpoints', strList(x['service_endpoints']).map((s) => ({ service: s })), V(r, 'service_endpoints')]);
        props.push(['serviceEndpointPolicies', refs(idsAt(r, 'service_endpoint_policy_ids'), V(r, 'service_endpoint_policy_ids')), V(r, 'service_endpoint_policy_ids')]);
        props.push(['delegations', nonEmpty(x['delegation']), V(r, 'delegation')]);
        break;
      case 'azurerm_network_security_group':
        props.push(['securityRules', blocks(r, 'security_rule').map(([b, p]) => mk(p, [['name', b['name'], `${p}.name`], ['properties', ruleProps(b, p)]])), V(r, 'security_rule')]);
        break;
      case 'azurerm_network_security_rule':
        Object.assign(c.obj, { properties: ruleProps(x, `${r.path}.values`) });
        break;
      case 'azurerm_route_table': {
        const enabled = x['bgp_route_propagation_enabled'];
        const disabled = typeof x['disable_bgp_route_propagation'] === 'boolean' ? x['disable_bgp_route_propagation'] : typeof enabled === 'boolean' ? !enabled : undefined;
        props.push(['disableBgpRoutePropagation', disabled, V(r, typeof enabled === 'boolean' ? 'bgp_route_propagation_enabled' : 'disable_bgp_route_propagation')]);
        props.push([
          'routes',
          blocks(r, 'route').map(([b, p]) =>
            mk(p, [
              ['name', b['name'], `${p}.name`],
              ['properties', mk(p, [
                ['addressPrefix', b['address_prefix'], `${p}.address_prefix`],
                ['nextHopType', b['next_hop_type'], `${p}.next_hop_type`],
                ['nextHopIpAddress', b['next_hop_in_ip_address'], `${p}.next_hop_in_ip_address`],
              ])],
            ]),
          ),
          V(r, 'route'),
        ]);
        break;
      }
      case 'azurerm_route':
        props.push(['addressPrefix', x['address_prefix'], V(r, 'address_prefix')], ['nextHopType', x['next_hop_type'], V(r, 'next_hop_type')], ['nextHopIpAddress', x['next_hop_in_ip_address'], V(r, 'next_hop_in_ip_address')]);
        break;
      case 'azurerm_virtual_network_peering':
        props.push(['remoteVirtualNetwork', ref(idAt(r, 'remote_virtual_network_id'), V(r, 'remote_virtual_network_id'))]);
        break;
      case 'azurerm_network_interface': {
        const fwd = x['ip_forwarding_enabled'] ?? x['enable_ip_forwarding'];
        props.push(['enableIPForwarding', fwd, V(r, 'ip_forwarding_enabled' in x ? 'ip_forwarding_enabled' : 'enable_ip_forwarding')]);
        props.push([
          'ipConfigurations',
          blocks(r, 'ip_configuration').map(([b, p, i]) =>
            mk(p, [
              ['name', b['name'], `${p}.name`],
              ['properties', mk(p, [
                ['subnet', ref(idAt(r, 'subnet_id', ['ip_configuration', i]), `${p}.subnet_id`)],
                ['privateIPAllocationMethod', b['private_ip_address_allocation'], `${p}.private_ip_address_allocation`],
                ['privateIPAddress', b['private_ip_address'], `${p}.private_ip_address`],
                ['publicIPAddress', ref(idAt(r, 'public_ip_address_id', ['ip_configuration', i]), `${p}.public_ip_address_id`)],
                ['primary', b['primary'], `${p}.primary`],
                ['privateIPAddressVersion', b['private_ip_address_version'], `${p}.private_ip_address_version`],
              ])],
            ]),
          ),
          V(r, 'ip_configuration'),
        ]);
        break;
      }
      case 'azurerm_public_ip':
        props.push(['ipAddress', x['ip_address'], V(r, 'ip_address')], ['publicIPAddressVersion', x['ip_version'], V(r, 'ip_version')]);
        break;
      case 'azurerm_nat_gateway':
        props.push(['publicIpAddresses', []]);
        break;
      case 'azurerm_linux_virtual_machine':
      case 'azurerm_windows_virtual_machine':
      case 'azurerm_virtual_machine': {
        const primary = idAt(r, 'primary_network_interface_id');
        const ids = idsAt(r, 'network_interface_ids');
        const ordered = primary === undefined ? ids : [primary, ...ids.filter((i) => i.toLowerCase() !== primary.toLowerCase())];
        props.push(['networkProfile', mk(V(r, 'network_interface_ids'), [['networkInterfaces', refs(ordered, V(r, 'network_interface_ids')), V(r, 'network_interface_ids')]])]);
        break;
      }
      case 'azurerm_storage_account': {
        const nr = blocks(r, 'network_rules')[0];
        if (nr !== undefined) props.push(['networkAcls', acls(nr[0], nr[1], 'virtual_network_subnet_ids', idsIn(r, ['network_rules', nr[2], 'virtual_network_subnet_ids'], nr[0]['virtual_network_subnet_ids']))]);
        if (x['public_network_access_enabled'] === false) props.push(['publicNetworkAccess', 'Disabled', V(r, 'public_network_access_enabled')]);
        break;
      }
      case 'azurerm_key_vault': {
        const na = blocks(r, 'network_acls')[0];
        if (na !== undefined) props.push(['networkAcls', acls(na[0], na[1], 'virtual_network_subnet_ids', idsIn(r, ['network_acls', na[2], 'virtual_network_subnet_ids'], na[0]['virtual_network_subnet_ids']))]);
        if (x['public_network_access_enabled'] === false) props.push(['publicNetworkAccess', 'Disabled', V(r, 'public_network_access_enabled')]);
        break;
      }
      case 'azurerm_mssql_server':
      case 'azurerm_sql_server':
        if (x['public_network_access_enabled'] === false) props.push(['publicNetworkAccess', 'Disabled', V(r, 'public_network_access_enabled')]);
        break;
      case 'azurerm_mssql_virtual_network_rule':
        props.push(['virtualNetworkSubnetId', idAt(r, 'subnet_id'), V(r, 'subnet_id')]);
        break;
      case 'azurerm_mssql_firewall_rule':
        props.push(['startIpAddress', x['start_ip_address'], V(r, 'start_ip_address')], ['endIpAddress', x['end_ip_address'], V(r, 'end_ip_address')]);
        break;
      case 'azurerm_subnet_service_endpoint_storage_policy':
        props.push([
          'serviceEndpointPolicyDefinitions',
          blocks(r, 'definition').map(([b, p]) =>
            mk(p, [
              ['name', b['name'], `${p}.name`],
              ['properties', mk(p, [['service', b['service'] ?? 'Microsoft.Storage', `${p}.service`], ['serviceResources', b['service_resources'], `${p}.service_resources`]])],
            ]),
          ),
          V(r, 'definition'),
        ]);
        break;
      default:
        break;
    }
    const existing = isObject(c.obj['properties']) ? c.obj['properties'] : undefined;
    const properties = existing ?? mk(`${r.path}.values`, props);
    c.obj = mk(r.path, [
      ['type', c.armType],
      ['name', c.names.join('/'), V(r, 'name')],
      ['id', c.id, V(r, 'id')],
      ['location', x['location'], V(r, 'location')],
      ['properties', properties],
    ]);
  }

  // Associations set a property of another resource.
  const props = (c: Converted) => c.obj['properties'] as Record<string, unknown>;
  for (const r of list) {
    const a = ASSOCIATIONS[r.type];
    if (a === undefined) continue;
    const label = tfLabel(r);
    const targetId = idAt(r, a.target);
    const target = targetId === undefined ? undefined : byId.get(targetId.toLowerCase());
    if (target === undefined) {
      w.add(V(r, a.target), `${r.address}: ${targetId === undefined ? `${a.target} is unknown` : `"${targetId}" is not in the input`}; left out`);
      out.skipped.push({ ...label, reason: `${a.target} names no resource of the input`, relevant: true });
      continue;
    }
    const p = props(target);
    const valuePath = V(r, a.value);
    if (r.type === 'azurerm_storage_account_network_rules') {
      p['networkAcls'] = acls(r.values, `${r.path}.values`, 'virtual_network_subnet_ids', idsAt(r, 'virtual_network_subnet_ids'));
    } else {
      const id = idAt(r, a.value);
      if (id === undefined) {
        w.add(valuePath, `${r.address}: ${a.value} is unknown; left out`);
        out.skipped.push({ ...label, reason: `${a.value} is unknown`, relevant: true });
        continue;
      }
      if (a.what === 'publicIpAddresses') (p['publicIpAddresses'] as unknown[]).push(ref(id, valuePath));
      else if (a.what === 'applicationSecurityGroups') {
        for (const cfg of Array.isArray(p['ipConfigurations']) ? p['ipConfigurations'] : []) {
          const cp = (cfg as Record<string, unknown>)['properties'] as Record<string, unknown>;
          cp['applicationSecurityGroups'] = [...((cp['applicationSecurityGroups'] as unknown[]) ?? []), ref(id, valuePath)];
        }
      } else p[a.what] = ref(id, valuePath);
    }
    out.imported.push(label);
  }

  for (const r of list) {
    if (ARM_TYPES[r.type] !== undefined || ASSOCIATIONS[r.type] !== undefined) continue;
    const relevant = RELEVANT_TF.test(r.type);
    out.skipped.push({ ...tfLabel(r), reason: `Terraform type ${r.type} is not modelled by vnetsim`, relevant });
  }

  for (const c of conv) {
    const res = new Val(c.obj, c.tf.path, scope, w, true);
    out.resources.push({ type: c.armType.toLowerCase(), names: c.names, res, path: c.tf.path, id: c.id, ...(c.resourceGroup === undefined ? {} : { resourceGroup: c.resourceGroup }) });
  }
  void file;
  return out;
}

function strList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}
