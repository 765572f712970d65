// The replay's traffic: the benchmark's mix (TCP 443/1433/80, UDP 53, ICMP; 16 packets a flow, so new and established
// packets both) from every VM and on-premises site to the VMs, the services and a few Internet hosts, cut into
// virtual shards of flow-hash space and epochs. Pure arithmetic on the plan: the same (seed, shard, epoch) gives the
// same packets on any machine.
import { formatIpv4 } from '@vnetsim/core';
import type { Network, TrafficSpec } from '@vnetsim/dataplane';
import { resolveSource } from '@vnetsim/scenario';

export const PACKETS_PER_FLOW = 16;
/** Seconds between two packets of the whole replay (a shard's packets are `shards` times further apart). */
export const PACKET_INTERVAL = 1e-6;
const INTERNET_HOSTS = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '20.60.0.1'];

/** Sources (IPv4 address, ingress code) and destinations of a network's replay traffic. */
export interface Endpoints {
  sources: string[];
  ingress: number[];
  destinations: string[];
}

export function replayEndpoints(net: Network): Endpoints {
  const sources: string[] = [];
  const ingress: number[] = [];
  const names = [...net.spec.vms.map((v) => v.name), ...net.spec.onPrem.map((o) => o.name)];
  for (const name of names) {
    let s;
    try {
      s = resolveSource(net, name, false);
    } catch {
      continue; // an IPv6-only site: the replay is IPv4
    }
    s.addrs.forEach((a, i) => {
      sources.push(formatIpv4(a));
      ingress.push(s.ingress[i]!);
    });
  }
  const destinations = [
    ...net.spec.vms.map((v) => v.privateIp).filter((a) => !a.includes(':')),
    ...net.spec.services.map((s) => s.address).filter((a): a is string => typeof a === 'string' && !a.includes(':')),
    ...INTERNET_HOSTS,
  ];
  if (sources.length === 0) throw new Error('the network has no VM or on-premises site with an IPv4 address to send from');
  return { sources, ingress, destinations };
}

/** Packets of (shard, epoch): epoch e's packets split evenly over the shards, the remainder to the first shards. */
export function slicePackets(boundaries: readonly number[], total: number, shards: number, shard: number, epoch: number): number {
  const start = boundaries[epoch]!;
  const end = epoch + 1 < boundaries.length ? boundaries[epoch + 1]! : total;
  const n = end - start;
  return Math.floor(n / shards) + (shard < n % shards ? 1 : 0);
}

/** The generator seed of (run seed, shard, epoch): splitmix-style mixing, so neighbouring slices are unrelated. */
export function sliceSeed(seed: number, shard: number, epoch: number): number {
  let h = (seed ^ Math.imul(shard + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export function sliceTraffic(ep: Endpoints, seed: number, shards: number, shard: number, epoch: number, packets: number, epochStart: number): TrafficSpec {
  const flows = Math.ceil(packets / PACKETS_PER_FLOW);
  return {
    seed: sliceSeed(seed, shard, epoch),
    flows,
    packetsPerFlow: PACKETS_PER_FLOW,
    sources: ep.sources,
    ingress: ep.ingress,
    destinations: ep.destinations,
    protocol: { tcp: 0.8, udp: 0.15, icmp: 0.05 },
    dstPorts: [443, 443, 443, 1433, 80, 53],
    concurrentFlows: Math.max(1, Math.min(flows, 1024)),
    startTime: epochStart * PACKET_INTERVAL,
    packetInterval: shards * PACKET_INTERVAL,
    ...(shards > 1 ? { shard: { index: shard, of: shards } } : {}),
  };
}
