// Soak run (issue 7): N packets (default 10^8, `--packets N`) through one Network in reused batches, from three
// seeded traffic streams (endpoint traffic to Storage, NAT-gateway traffic to the Internet, peered VNet traffic) whose
// flows open, carry data, close and get evicted from a bounded flow table. Prints heap used (after a forced GC)
// before, every 10% and after: constant memory shows as flat numbers. Ends with packets/s and the conservation check
// (packets in = sum of dispositions). Usage: npm run soak -- --packets 10000000
import { DISPOSITION_NAMES, formatIpv4 } from '@vnetsim/core';
import { Network, TrafficGenerator } from '@vnetsim/dataplane';
import { parseScenario, resolveSource, resolveTarget } from '@vnetsim/scenario';
import { heapAvailable, heapUsed } from './heap.js';

const NETWORK = `name: soak
network:
  vnets:
    - name: hub
      region: westeurope
      addressSpace: [10.0.0.0/16]
      peerings: [spoke]
      subnets:
        - { name: app, prefix: 10.0.1.0/24, nsg: app-nsg, serviceEndpoints: [Microsoft.Storage] }
        - { name: nat, prefix: 10.0.3.0/24, natGateway: { publicIps: [20.50.0.1, 20.50.0.2] } }
    - name: spoke
      region: westeurope
      addressSpace: [10.1.0.0/16]
      subnets:
        - { name: web, prefix: 10.1.0.0/24 }
  nsgs:
    - name: app-nsg
      rules:
        - { name: allow-storage, priority: 100, direction: Outbound, access: Allow, protocol: Tcp,
            source: VirtualNetwork, destination: Storage.WestEurope, destinationPorts: '443' }
        - { name: deny-internet, priority: 200, direction: Outbound, access: Deny, protocol: '*',
            source: '*', destination: Internet, destinationPorts: '*' }
  vms:
    - { name: app1, subnet: hub/app, privateIp: 10.0.1.4 }
    - { name: app2, subnet: hub/app, privateIp: 10.0.1.5 }
    - { name: nat1, subnet: hub/nat, privateIp: 10.0.3.4 }
    - { name: web1, subnet: spoke/web, privateIp: 10.1.0.4 }
  services:
    - name: st
      type: Microsoft.Storage
      region: westeurope
      address: 52.239.0.10
      firewall: { defaultAction: Deny, virtualNetworkRules: [hub/app] }
steps: []
`;

function argPackets(): number {
  const i = process.argv.indexOf('--packets');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 1e8;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--packets: expected a positive integer, got ${process.argv[i + 1]}`);
  return n;
}

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

function main(): void {
  const total = argPackets();
  const s = parseScenario(NETWORK, 'soak.yaml');
  const net = new Network(s.network, s.serviceTags, s.options, { flowCapacity: 1 << 17, batchCapacity: 4096 });
  const PER_FLOW = 16;
  // [from, to, protocol]: endpoint traffic, Internet through the NAT gateway (SNAT ports), a peered VM, denied Internet.
  const streams: [string, string, 'tcp' | 'udp'][] = [
    ['hub/app', 'Storage.WestEurope', 'tcp'],
    ['hub/nat', '0.0.0.0/0', 'tcp'],
    ['spoke/web', 'app1', 'udp'],
    ['hub/app', '8.8.0.0/16', 'udp'],
  ];
  const gens = streams.map(([from, to, protocol], k) => {
    const src = resolveSource(net, from, true);
    return new TrafficGenerator({
      seed: 1000 + k,
      flows: Math.ceil(total / streams.length / PER_FLOW) + 1,
      packetsPerFlow: PER_FLOW,
      sources: src.addrs.map(formatIpv4),
      ingress: src.ingress,
      destinations: resolveTarget(net, to).prefixes,
      protocol,
      concurrentFlows: 4096,
    });
  });
  const batch = net.newBatch();

  console.log(`vnetsim soak: ${total.toLocaleString('en-US')} packets, ${streams.length} streams of ${PER_FLOW}-packet flows, flow table ${net.flows.capacity.toLocaleString('en-US')}, batch ${batch.capacity}, node ${process.version}${heapAvailable() ? '' : ' (no forced GC: heap figures include garbage)'}`);
  const heap0 = heapUsed();
  console.log(`heap before: ${mib(heap0)}`);
  const started = performance.now();
  let done = 0;
  let nextReport = total / 10;
  let g = 0;
  while (done < total) {
    const n = gens[g]!.fill(batch);
    g = (g + 1) % gens.length;
    if (n === 0) continue;
    if (done + n > total) batch.count = total - done;
    net.process(batch);
    done += batch.count;
    if (done >= nextReport) {
      const sec = (performance.now() - started) / 1000;
      console.log(
        `${String(Math.round((100 * done) / total)).padStart(3)}%  ${done.toLocaleString('en-US').padStart(13)} packets  ${(done / sec / 1e6).toFixed(2)} M packets/s  heap ${mib(heapUsed())}  flows ${net.flows.size.toLocaleString('en-US')}  evictions ${net.flows.evictions.toLocaleString('en-US')}`,
      );
      nextReport += total / 10;
    }
  }
  const sec = (performance.now() - started) / 1000;
  const heap1 = heapUsed();
  const c = net.counters;
  console.log(`heap after: ${mib(heap1)} (change ${mib(heap1 - heap0)})`);
  console.log(`${done.toLocaleString('en-US')} packets in ${sec.toFixed(1)} s: ${(done / sec / 1e6).toFixed(2)} M packets/s (heap sampling included)`);
  const disp = DISPOSITION_NAMES.map((name, i) => [name, c.byDisposition[i]!] as const).filter(([, v]) => v > 0);
  console.log(`dispositions: ${disp.map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}`);
  console.log(`flows created ${c.flowsCreated.toLocaleString('en-US')}, evictions ${net.flows.evictions.toLocaleString('en-US')}, SNAT ports taken ${c.snatPortsTaken.toLocaleString('en-US')}`);
  const ok = c.packetsIn === done && c.accounted() === done;
  console.log(`conservation: packets in ${c.packetsIn.toLocaleString('en-US')} = sum of dispositions ${c.accounted().toLocaleString('en-US')}: ${ok ? 'holds' : 'VIOLATED'}`);
  if (!ok) process.exitCode = 1;
}

main();
