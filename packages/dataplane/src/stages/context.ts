// What the stages share while a batch goes through the pipeline: per-packet scratch columns (preallocated, reused),
// counters, SNAT port pools. Nothing here is allocated per packet.
import { DISPOSITION_NAMES, DROP_REASON_NAMES, NO_NEXT_HOP } from '@vnetsim/core';
import type { FlowTable } from '../flows/flow-table.js';
import type { CompiledTables } from '../tables.js';


/** Scratch columns filled by the stages for the packets of one batch (read back by trace and the runner). */
export class Scratch {
  readonly capacity: number;
  /**
   * The rows this pipeline decides, in order, `ownCount` of them (ingress): this shard's rows of a shared batch. When
   * `ownAll` (one thread: every row is this pipeline's), the list is not filled: row j is row j.
   */
  readonly own: Int32Array;
  ownCount = 0;
  ownAll = true;
  /**
   * The rows still undecided after flow-lookup (new flows, recomputed ones), in order, `workCount` of them: the later
   * stages visit only these (a batch of established flows leaves none), each skipping rows finished meanwhile.
   */
  readonly work: Int32Array;
  workCount = 0;
  /**
   * Decided by flow-lookup once per batch: the later stages visit every row (skipping finished ones by their
   * disposition) rather than the `work` list, because most rows are in it (new flows, one thread): a list costs a load
   * per row.
   */
  workDense = false;
  /** Source VM (-1 none), source subnet (-1 none: on-premises or Internet). */
  readonly srcVm: Int32Array;
  readonly srcSubnet: Int32Array;
  /** 1 when the packet belongs to a recorded flow (R-NSG-5), 2 when that flow's forwarding must be recomputed. */
  readonly flowHit: Uint8Array;
  /** Flow direction of a hit: 0 forward, 1 reverse. */
  readonly flowDir: Uint8Array;
  /** NextHop enum of the chosen route, NO_NEXT_HOP none. */
  readonly nextHop: Uint8Array;
  /** Destination table value (tables.ts Dest encoding), -1 unknown. */
  readonly destination: Int32Array;
  /** The subnet identity carried to a service through an endpoint (R-SE-1), -1 none. */
  readonly endpointSubnet: Int32Array;
  /** Source address the destination sees (R-SE-1, R-SNAT-*). */
  readonly seenSrc: Uint32Array;
  /** SNAT pool used (-1 none) and whether a port was taken for this packet. */
  readonly snatPool: Int32Array;
  /** Rule indices per NSG level (-1 not evaluated): NIC out, subnet out, subnet in, NIC in. */
  readonly ruleNicOut: Int32Array;
  readonly ruleSubnetOut: Int32Array;
  readonly ruleSubnetIn: Int32Array;
  readonly ruleNicIn: Int32Array;
  /** Appliance VM that forwarded the packet, -1 none. */
  readonly appliance: Int32Array;
  /** Service resource reached (-1 none) and how the firewall decided (ServiceVerdict). */
  readonly service: Int32Array;
  readonly serviceVerdict: Uint8Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.own = new Int32Array(capacity);
    this.work = new Int32Array(capacity);
    this.srcVm = new Int32Array(capacity);
    this.srcSubnet = new Int32Array(capacity);
    this.flowHit = new Uint8Array(capacity);
    this.flowDir = new Uint8Array(capacity);
    this.nextHop = new Uint8Array(capacity);
    this.destination = new Int32Array(capacity);
    this.endpointSubnet = new Int32Array(capacity);
    this.seenSrc = new Uint32Array(capacity);
    this.snatPool = new Int32Array(capacity);
    this.ruleNicOut = new Int32Array(capacity);
    this.ruleSubnetOut = new Int32Array(capacity);
    this.ruleSubnetIn = new Int32Array(capacity);
    this.ruleNicIn = new Int32Array(capacity);
    this.appliance = new Int32Array(capacity);
    this.service = new Int32Array(capacity);
    this.serviceVerdict = new Uint8Array(capacity);
  }

  reset(count: number): void {
    this.srcVm.fill(-1, 0, count);
    this.srcSubnet.fill(-1, 0, count);
    this.flowHit.fill(0, 0, count);
    this.flowDir.fill(0, 0, count);
    this.nextHop.fill(NO_NEXT_HOP, 0, count);
    this.destination.fill(-1, 0, count);
    this.endpointSubnet.fill(-1, 0, count);
    this.seenSrc.fill(0, 0, count);
    this.snatPool.fill(-1, 0, count);
    this.ruleNicOut.fill(-1, 0, count);
    this.ruleSubnetOut.fill(-1, 0, count);
    this.ruleSubnetIn.fill(-1, 0, count);
    this.ruleNicIn.fill(-1, 0, count);
    this.appliance.fill(-1, 0, count);
    this.service.fill(-1, 0, count);
    this.serviceVerdict.fill(0, 0, count);
  }
}

/** How the service firewall decided (R-SVC-1). */
export const ServiceVerdict = {
  None: 0,
  AllowAll: 1, // defaultAction Allow
  VnetRule: 2, // came through an endpoint from a subnet in virtualNetworkRules
  IpRule: 3, // public source inside ipRules
  DeniedVnet: 4, // through an endpoint, subnet not in virtualNetworkRules
  DeniedIp: 5, // public source not in ipRules
  FrontEnd: 6, // an address of the service's tag with no modelled resource: its front end answers
  DeniedInternal: 7, // R-SVC-4 azureInternal: a same-region request without an endpoint, no IP rule can admit it
} as const;

/** Counters of a run: packets in, by disposition, by drop reason (STYLE.md 5). */
export class Counters {
  packetsIn = 0;
  readonly byDisposition = new Float64Array(DISPOSITION_NAMES.length);
  readonly byReason = new Float64Array(DROP_REASON_NAMES.length);
  flowsCreated = 0;
  flowHits = 0;
  snatPortsTaken = 0;

  reset(): void {
    this.packetsIn = 0;
    this.byDisposition.fill(0);
    this.byReason.fill(0);
    this.flowsCreated = 0;
    this.flowHits = 0;
    this.snatPortsTaken = 0;
  }

  /** Sum of dispositions; equals packetsIn after every run (asserted by the pipeline). */
  accounted(): number {
    let n = 0;
    for (let i = 0; i < this.byDisposition.length; i++) n += this.byDisposition[i]!;
    return n;
  }

  /** { Delivered: n, ... } with zero entries left out. */
  dispositions(): Record<string, number> {
    const out: Record<string, number> = {};
    DISPOSITION_NAMES.forEach((name, i) => {
      if (this.byDisposition[i]! > 0) out[name] = this.byDisposition[i]!;
    });
    return out;
  }

  reasons(): Record<string, number> {
    const out: Record<string, number> = {};
    DROP_REASON_NAMES.forEach((name, i) => {
      if (i > 0 && this.byReason[i]! > 0) out[name] = this.byReason[i]!;
    });
    return out;
  }
}

/**
 * SNAT port pools (R-SNAT-1): a free stack per pool, allocated on first use. A pool has one or more public addresses
 * (a NAT gateway's), each contributing `portsPerIp` ports; a stack entry is `(address index << 16) | port`.
 */
export class SnatPorts {
  static readonly FIRST_PORT = 1024;
  readonly portsPerIp: number;
  private stacks: Int32Array[] = [];
  private tops: Int32Array = new Int32Array(0);
  /** Ports in use per pool. */
  used: Int32Array = new Int32Array(0);

  constructor(portsPerIp = 64512) {
    if (!Number.isInteger(portsPerIp) || portsPerIp < 1 || portsPerIp > 64512)
      throw new RangeError(`snatPortsPerIp: expected an integer from 1 to 64512, got ${portsPerIp}`);
    this.portsPerIp = portsPerIp;
  }

  /**
   * Makes room for `pools` pools, a count (one address each) or each pool's addresses (keeps existing ones: ports in
   * use stay in use across recompiles).
   */
  ensure(pools: number | ReadonlyArray<{ ips: readonly number[] }>): void {
    const count = typeof pools === 'number' ? pools : pools.length;
    if (count <= this.stacks.length) return;
    const tops = new Int32Array(count);
    tops.set(this.tops);
    const used = new Int32Array(count);
    used.set(this.used);
    for (let p = this.stacks.length; p < count; p++) {
      const ips = typeof pools === 'number' ? 1 : Math.max(1, pools[p]!.ips.length);
      const n = this.portsPerIp * ips;
      const s = new Int32Array(n);
      // Pop order gives address 0's ports 1024, 1025, ..., then address 1's: deterministic.
      for (let k = 0; k < n; k++) {
        const slot = n - 1 - k;
        const ip = Math.floor(slot / this.portsPerIp);
        s[k] = (ip << 16) | (SnatPorts.FIRST_PORT + slot - ip * this.portsPerIp);
      }
      this.stacks.push(s);
      tops[p] = n;
    }
    this.tops = tops;
    this.used = used;
  }

  /** A free entry of pool p, `(address index << 16) | port`, or -1 when exhausted. */
  take(p: number): number {
    const top = this.tops[p]!;
    if (top === 0) return -1;
    this.tops[p] = top - 1;
    this.used[p]!++;
    return this.stacks[p]![top - 1]!;
  }

  /** Free ports of pool p. */
  free(p: number): number {
    return this.tops[p]!;
  }

  /** Gives back port `port` of the pool's address `ipIndex`. */
  give(p: number, port: number, ipIndex = 0): void {
    const top = this.tops[p]!;
    this.stacks[p]![top] = (ipIndex << 16) | port;
    this.tops[p] = top + 1;
    this.used[p]!--;
  }
}

/** Everything a stage may read or write. */
export interface StageContext {
  tables: CompiledTables;
  flows: FlowTable;
  scratch: Scratch;
  counters: Counters;
  snat: SnatPorts;
  /** Number of the batch being processed (the flows' pin epoch: FlowTable.lead). */
  epoch: number;
  /** When true (trace, what-if), no flow is recorded and no port is taken. */
  dryRun: boolean;
  /**
   * Shards the batch is split between (1: every row is this pipeline's) and this pipeline's shard: with shards > 1
   * the batch is shared in place (parallel/), and ingress lists this shard's rows (`Scratch.own`) for the later stages.
   */
  shards: number;
  shard: number;
}
