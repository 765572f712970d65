// The network a user describes (SCENARIOS.md `network:`), as plain data. Strings at this edge: addresses stay
// textual here and are parsed by the compilers (routing/, nsg/) into integers. Optional keys of SCENARIOS.md are
// filled with their defaults by the loader (dataplane io/), so every field below is present unless marked optional.

export type DeploymentModel = 'ResourceManager' | 'Classic';
export type Direction = 'Inbound' | 'Outbound';
export type Access = 'Allow' | 'Deny';
export type RuleProtocol = 'Tcp' | 'Udp' | 'Icmp' | 'Esp' | 'Ah' | '*';
export type EndpointPrecedence = 'override' | 'lpm';

/** Next hop types of Azure's effective routes (R-RT-1..3, R-SE-ROUTE-1). */
export type NextHopType =
  | 'VnetLocal'
  | 'VNetPeering'
  | 'Internet'
  | 'VirtualAppliance'
  | 'VirtualNetworkGateway'
  | 'VirtualNetworkServiceEndpoint'
  | 'None';

/** Where a route came from (R-RT-4 ranks them). */
export type RouteSource = 'Default' | 'User' | 'VirtualNetworkGateway';
export type RouteState = 'Active' | 'Invalid';

export interface ScenarioOptions {
  /** R-SE-ROUTE-2: `override` (the seed, default) or `lpm`. */
  endpointPrecedence: EndpointPrecedence;
  /** R-SNAT-1: SNAT ports per public address (default 64,512; smaller pools show exhaustion quickly). */
  snatPortsPerIp?: number;
  /**
   * R-SNAT-1: which public source a VM with an instance public IP in a subnet with a NAT gateway uses:
   * `instancePublicIp` (default, SEMANTICS.md) or `natGateway` (Azure's NAT gateway documents: the gateway wins).
   */
  outboundPrecedence?: 'instancePublicIp' | 'natGateway';
  /**
   * R-SVC-4: what source a storage account sees for a request from a VM in its own region without an endpoint:
   * `public` (default, the seed: the VM's public address, which an IP rule may allow) or `azureInternal` (current
   * Storage documents: an Azure-internal address, so IP rules never admit it; only a VNet rule can, via an endpoint).
   */
  storageSameRegionSource?: 'public' | 'azureInternal';
}

export interface GatewaySpec {
  /** On-premises prefixes learned by BGP / set on the local network gateway (R-RT-2). */
  onPremPrefixes: string[];
  /** Addresses on-premises traffic has when it reaches Azure services (R-SE-5). */
  natIps: string[];
}

export interface ServiceEndpointSpec {
  /** e.g. `Microsoft.Storage`. */
  service: string;
  /** R-SE-REGION: explicit regions, or ['*']; absent = the service's default scope. */
  locations?: string[];
}

export interface SubnetSpec {
  name: string;
  prefix: string;
  /** Extra IPv6 prefix of a dual-stack subnet. */
  prefixV6?: string;
  nsg?: string;
  routeTable?: string;
  natGateway?: { publicIps: string[] };
  serviceEndpoints: ServiceEndpointSpec[];
  endpointPolicies: string[];
}

export interface VnetSpec {
  name: string;
  region: string;
  subscription: string;
  tenant: string;
  /** Resource group of the VNet and of the NSGs its VMs and subnets use (resource ids in flow logs). */
  resourceGroup?: string;
  deploymentModel: DeploymentModel;
  /** IPv4 and IPv6 ranges. */
  addressSpace: string[];
  /** Names of peered VNets (peering is symmetric). */
  peerings: string[];
  gateway?: GatewaySpec;
  /** Default outbound public address of the VNet (R-SNAT-1); the loader may synthesize one. */
  defaultOutboundIp?: string;
  subnets: SubnetSpec[];
}

export interface SecurityRuleSpec {
  name: string;
  priority: number;
  direction: Direction;
  access: Access;
  protocol: RuleProtocol;
  /** `*`, an address, a prefix, a service tag, or a list of addresses/prefixes. */
  source: string | string[];
  sourcePorts: string | string[];
  destination: string | string[];
  destinationPorts: string | string[];
  /** Application security groups instead of `source` / `destination` (R-NSG-1). */
  sourceAsgs?: string[];
  destinationAsgs?: string[];
  description?: string;
}

export interface NsgSpec {
  name: string;
  rules: SecurityRuleSpec[];
}

export interface RouteSpec {
  name: string;
  prefix: string;
  nextHopType: NextHopType;
  nextHopIp?: string;
}

export interface RouteTableSpec {
  name: string;
  disableBgpRoutePropagation: boolean;
  routes: RouteSpec[];
}

export type ApplianceEgress = 'Internet' | 'OnPrem' | 'Drop';

export interface VmSpec {
  name: string;
  /** `vnet/subnet`. */
  subnet: string;
  privateIp: string;
  privateIpV6?: string;
  publicIp?: string;
  nsg?: string;
  asgs: string[];
  ipForwarding: boolean;
  appliance?: { egress: ApplianceEgress; publicIp?: string };
}

export type FirewallDefaultAction = 'Allow' | 'Deny';

export interface ServiceFirewallSpec {
  defaultAction: FirewallDefaultAction;
  /** `vnet/subnet` names. */
  virtualNetworkRules: string[];
  /** Public addresses or prefixes only (R-SVC-1). */
  ipRules: string[];
}

export interface ServiceSpec {
  name: string;
  /** `Microsoft.Storage`, `Microsoft.Sql`, `Microsoft.AzureCosmosDB`, `Microsoft.KeyVault`, ... */
  type: string;
  region: string;
  subscription: string;
  tenant: string;
  /** Public address; must lie in the service's tag prefixes for its region. */
  address: string;
  hostname?: string;
  resourceGroup?: string;
  firewall: ServiceFirewallSpec;
}

export interface EndpointPolicySpec {
  name: string;
  service: string;
  /** Service names (accounts) the policy allows (R-POL-1). */
  resources: string[];
  /** Whole subscriptions / resource groups the policy allows. */
  subscriptions?: string[];
  resourceGroups?: string[];
}

export interface OnPremSpec {
  name: string;
  prefix: string;
  /** Name of the VNet whose gateway connects it. */
  via: string;
}

export interface PrincipalSpec {
  name: string;
  /** Exactly the permissions it has; `*` wildcards allowed (R-SE-7). */
  permissions: string[];
}

export interface NetworkSpec {
  vnets: VnetSpec[];
  nsgs: NsgSpec[];
  routeTables: RouteTableSpec[];
  vms: VmSpec[];
  services: ServiceSpec[];
  endpointPolicies: EndpointPolicySpec[];
  onPrem: OnPremSpec[];
  principals: PrincipalSpec[];
}

/**
 * The Azure error code a finding maps to when a change is refused: `LimitExceeded` for a count over a documented limit
 * (rules per NSG, routes per table, firewall rules per resource), `InvalidRequest` for anything else.
 */
export type ProblemCode = 'InvalidRequest' | 'LimitExceeded';

/** One validation finding: where (a JSON-style path), what was found, what was expected; `code` when it has one. */
export interface Problem {
  path: string;
  message: string;
  code?: ProblemCode;
}

/** A finding of `validateNetwork`: every one carries its code. */
export interface ValidationProblem extends Problem {
  code: ProblemCode;
}

/** An empty network: a base for tests and builders. */
export function emptyNetwork(): NetworkSpec {
  return { vnets: [], nsgs: [], routeTables: [], vms: [], services: [], endpointPolicies: [], onPrem: [], principals: [] };
}
