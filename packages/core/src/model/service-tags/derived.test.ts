import { describe, expect, it } from 'vitest';
import { emptyNetwork, type NetworkSpec } from '../types.js';
import { builtinServiceTags } from './builtin.js';
import {
  AZURE_PLATFORM_IP,
  azureLoadBalancerTagPrefixes,
  INTERNET_EXCLUDED_V4,
  resolveTagName,
  virtualNetworkTagPrefixes,
} from './derived.js';

const vnet = (name: string, addressSpace: string[], peerings: string[] = [], onPrem?: string[]) => ({
  name, region: 'westeurope', subscription: 's', tenant: 't', deploymentModel: 'ResourceManager' as const,
  addressSpace, peerings, subnets: [], ...(onPrem ? { gateway: { onPremPrefixes: onPrem, natIps: [] } } : {}),
});

describe('derived tags (R-NSG-6)', () => {
  const net: NetworkSpec = {
    ...emptyNetwork(),
    vnets: [
      vnet('hub', ['10.0.0.0/16', 'fd00:1::/48'], ['spoke1'], ['192.168.0.0/16']),
      vnet('spoke1', ['10.1.0.0/16']),
      vnet('spoke2', ['10.2.0.0/16'], ['hub']),
      vnet('lonely', ['10.9.0.0/16']),
    ],
    onPrem: [{ name: 'branch', prefix: '172.20.0.0/16', via: 'hub' }],
  };

  it('R-NSG-6: VirtualNetwork = own space + peers (either side listed) + gateway on-prem + sites via it + 168.63.129.16', () => {
    expect(virtualNetworkTagPrefixes(net, 'hub').sort()).toEqual(
      ['10.0.0.0/16', 'fd00:1::/48', '10.1.0.0/16', '10.2.0.0/16', '192.168.0.0/16', '172.20.0.0/16', '168.63.129.16/32'].sort(),
    );
  });

  it('R-NSG-6: peering is symmetric but not transitive', () => {
    expect(virtualNetworkTagPrefixes(net, 'spoke1').sort()).toEqual(['10.0.0.0/16', '10.1.0.0/16', 'fd00:1::/48', '168.63.129.16/32'].sort());
    expect(virtualNetworkTagPrefixes(net, 'lonely')).toEqual(['10.9.0.0/16', '168.63.129.16/32']);
  });

  it('unknown VNet throws', () => {
    expect(() => virtualNetworkTagPrefixes(net, 'nope')).toThrow(/no VNet named "nope"/);
  });

  it('R-NSG-6: AzureLoadBalancer is 168.63.129.16/32', () => {
    expect(AZURE_PLATFORM_IP).toBe('168.63.129.16');
    expect(azureLoadBalancerTagPrefixes()).toEqual(['168.63.129.16/32']);
  });

  it('R-ADDR-2: Internet excludes the reserved ranges', () => {
    for (const p of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '240.0.0.0/4', '0.0.0.0/8'])
      expect(INTERNET_EXCLUDED_V4).toContain(p);
  });

  it('R-NSG-6: resolveTagName understands derived and published tags in any case; unknown is undefined', () => {
    const tags = builtinServiceTags();
    expect(resolveTagName(tags, 'virtualnetwork')).toBe('VirtualNetwork');
    expect(resolveTagName(tags, 'Internet')).toBe('Internet');
    expect(resolveTagName(tags, 'AZURELOADBALANCER')).toBe('AzureLoadBalancer');
    expect(resolveTagName(tags, 'Storage')).toMatchObject({ name: 'Storage' });
    expect(resolveTagName(tags, 'storage.westeurope')).toMatchObject({ name: 'Storage.WestEurope', region: 'westeurope' });
    expect(resolveTagName(tags, 'Sql.EastUS')).toMatchObject({ name: 'Sql.EastUS' });
    expect(resolveTagName(tags, 'Storage.Atlantis')).toBeUndefined();
    expect(resolveTagName(tags, 'constructor')).toBeUndefined();
  });
});
