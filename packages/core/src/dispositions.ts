// The closed sets every packet result is made of (DESIGN.md "Dispositions"; STYLE.md 5 and 6). Integers on the hot
// path, names and descriptions at the edge. Adding a reason means adding a row here, never "other".

export const Disposition = {
  Delivered: 0,
  ExitsNetwork: 1,
  DeniedOut: 2,
  DeniedIn: 3,
  NullRouted: 4,
  NoRoute: 5,
  ServiceDenied: 6,
  PolicyDenied: 7,
  SnatExhausted: 8,
  ApplianceDropped: 9,
  FlowReset: 10,
} as const;
export type Disposition = (typeof Disposition)[keyof typeof Disposition];
export type DispositionName = keyof typeof Disposition;
export const DISPOSITION_NAMES = Object.keys(Disposition) as DispositionName[];

export const DISPOSITION_DESCRIPTIONS: Record<DispositionName, string> = {
  Delivered: 'reached a VM or an Azure service',
  ExitsNetwork: 'left Azure to the Internet or to on-premises',
  DeniedOut: 'denied by an outbound NSG rule',
  DeniedIn: 'denied by an inbound NSG rule',
  NullRouted: 'route with next hop None',
  NoRoute: 'no route matched the destination',
  ServiceDenied: "refused by the service's own firewall",
  PolicyDenied: 'refused by a service-endpoint policy',
  SnatExhausted: 'no free source port in the translation pool',
  ApplianceDropped: 'dropped by a network virtual appliance',
  FlowReset: 'packet of a TCP connection that was reset',
};

/**
 * States of a row (a batch row's or a flow record's `disposition` column) that are not a Disposition, kept apart from
 * the Disposition values (0..10) so one byte holds either. A row leaves the pipeline with a Disposition, never these.
 */
export const RowState = {
  /** No stage has decided the row yet; in a flow record: its forwarding is stale and the next packet recomputes it. */
  Pending: 255,
  /** A later packet of a flow whose first packet is earlier in the same batch: it takes that packet's result. */
  Follower: 254,
} as const;
export type RowState = (typeof RowState)[keyof typeof RowState];

/** Why a packet did not reach its destination; 0 = it did (or left the network). */
export const DropReason = {
  None: 0,
  NsgDenyOutbound: 1,
  NsgDenyInbound: 2,
  NextHopNone: 3,
  NoMatchingRoute: 4,
  ServiceFirewallDenied: 5,
  EndpointPolicyDenied: 6,
  SnatPortsExhausted: 7,
  ApplianceDrop: 8,
  ConnectionReset: 9,
  InvalidNextHop: 10,
  UnknownDestination: 11,
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];
export type DropReasonName = keyof typeof DropReason;
export const DROP_REASON_NAMES = Object.keys(DropReason) as DropReasonName[];

export const DROP_REASON_DESCRIPTIONS: Record<DropReasonName, string> = {
  None: 'not dropped',
  NsgDenyOutbound: 'an outbound security rule (NIC or subnet NSG) denied the flow (R-NSG-2, R-NSG-4)',
  NsgDenyInbound: 'an inbound security rule (subnet or NIC NSG) denied the flow (R-NSG-2, R-NSG-4)',
  NextHopNone: 'the chosen route has next hop type None (R-RT-1, R-RT-3)',
  NoMatchingRoute: 'no route of the subnet covers the destination',
  ServiceFirewallDenied: 'the service firewall matched no virtual-network rule and no IP rule (R-SVC-1)',
  EndpointPolicyDenied: 'the subnet has endpoint policies and none lists this resource (R-POL-1)',
  SnatPortsExhausted: 'every source port of the translation pool is in use (R-SNAT-1)',
  ApplianceDrop: 'the virtual appliance is configured to drop (R-SNAT-3)',
  ConnectionReset: 'the TCP connection was reset by an endpoint toggle (R-SE-2)',
  InvalidNextHop: 'the next hop IP of the route is not a reachable appliance (R-RT-3)',
  UnknownDestination: 'the destination address is inside a VNet but no VM has it',
};

/** Disposition each drop reason ends in. */
export const DROP_REASON_DISPOSITION: Record<DropReasonName, DispositionName> = {
  None: 'Delivered',
  NsgDenyOutbound: 'DeniedOut',
  NsgDenyInbound: 'DeniedIn',
  NextHopNone: 'NullRouted',
  NoMatchingRoute: 'NoRoute',
  ServiceFirewallDenied: 'ServiceDenied',
  EndpointPolicyDenied: 'PolicyDenied',
  SnatPortsExhausted: 'SnatExhausted',
  ApplianceDrop: 'ApplianceDropped',
  ConnectionReset: 'FlowReset',
  InvalidNextHop: 'NullRouted',
  UnknownDestination: 'NoRoute',
};

/** Next hop types as integers for compiled route records. */
export const NextHop = {
  VnetLocal: 0,
  VNetPeering: 1,
  Internet: 2,
  VirtualAppliance: 3,
  VirtualNetworkGateway: 4,
  VirtualNetworkServiceEndpoint: 5,
  None: 6,
} as const;
export type NextHop = (typeof NextHop)[keyof typeof NextHop];
export const NEXT_HOP_NAMES = Object.keys(NextHop) as (keyof typeof NextHop)[];
/** `nextHop` scratch value of a row with no route chosen (yet); outside the NextHop values. */
export const NO_NEXT_HOP = 255;
