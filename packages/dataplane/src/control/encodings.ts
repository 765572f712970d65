// Integer encodings of the compiled tables: who sent a packet (ingress), what a destination is (Dest), what an
// appliance does with egress traffic, and SNAT pools. Stages, traces and the table compilers read these.

/** `ingress` column encoding: who sent the packet. VM indices are 0..vmCount-1. */
export const Ingress = {
  /** An address of a subnet that no VM holds: `SUBNET + subnetIndex`. */
  SUBNET: 1 << 20,
  /** An on-premises site: `ON_PREM + siteIndex`. */
  ON_PREM: 2 << 20,
  /** A host on the Internet. */
  EXTERNAL: -1,
} as const;

/** Destination classes of the destination table's values. */
export const Dest = {
  /** VM private address: value = vm. */
  VM: 0,
  /** VM instance public address (inbound from the Internet): value = PUBLIC_VM + vm. */
  PUBLIC_VM: 1 << 20,
  /** A modelled service resource: value = SERVICE + service. */
  SERVICE: 2 << 20,
  /** An on-premises prefix: value = ON_PREM + site. */
  ON_PREM: 3 << 20,
  MASK: (1 << 20) - 1,
} as const;

/** Appliance behaviour of a VM (R-SNAT-3). */
export const ApplianceEgress = { NotAppliance: -1, Internet: 0, OnPrem: 1, Drop: 2 } as const;

/**
 * A pool of SNAT ports (R-SNAT-1): one public address, or every public address of a NAT gateway (each contributes
 * its ports: SnatPorts entries carry the address index).
 */
export interface SnatPoolSpec {
  /** First address (the only one for a VM or appliance public IP). */
  ip: number;
  ips: number[];
  label: string;
}
