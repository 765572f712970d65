import { describe, expect, it } from 'vitest';
import { canonicalRegion, isKnownRegion, knownRegions, pairedRegion, regionDisplayName } from './regions.js';

describe('regions', () => {
  it('canonicalRegion accepts display, spaced and canonical forms', () => {
    expect(canonicalRegion('WestEurope')).toBe('westeurope');
    expect(canonicalRegion('west europe')).toBe('westeurope');
    expect(canonicalRegion('westeurope')).toBe('westeurope');
    expect(canonicalRegion('West-Europe')).toBe('westeurope');
  });

  it('canonicalRegion maps the short forms of ServiceTags_Public.json', () => {
    expect(canonicalRegion('centralfrance')).toBe('francecentral');
    expect(canonicalRegion('germanywc')).toBe('germanywestcentral');
    expect(canonicalRegion('switzerlandn')).toBe('switzerlandnorth');
  });

  it('regionDisplayName gives the form used in tag names', () => {
    expect(regionDisplayName('westeurope')).toBe('WestEurope');
    expect(regionDisplayName('uksouth')).toBe('UKSouth');
    expect(regionDisplayName('East US 2')).toBe('EastUS2');
  });

  it('isKnownRegion', () => {
    expect(isKnownRegion('WestEurope')).toBe(true);
    expect(isKnownRegion('atlantis')).toBe(false);
    expect(isKnownRegion('constructor')).toBe(false);
  });

  it('R-SE-REGION: paired regions (symmetric pairs, one-way pairs, none)', () => {
    expect(pairedRegion('westeurope')).toBe('northeurope');
    expect(pairedRegion('NorthEurope')).toBe('westeurope');
    expect(pairedRegion('eastus')).toBe('westus');
    expect(pairedRegion('westus')).toBe('eastus');
    expect(pairedRegion('eastus2')).toBe('centralus');
    expect(pairedRegion('uksouth')).toBe('ukwest');
    expect(pairedRegion('francecentral')).toBe('francesouth');
    expect(pairedRegion('germanywestcentral')).toBe('germanynorth');
    expect(pairedRegion('westus3')).toBe('eastus');
    expect(pairedRegion('qatarcentral')).toBeUndefined();
    expect(pairedRegion('atlantis')).toBeUndefined();
  });

  it('every pair is a known region and display names round-trip', () => {
    for (const r of knownRegions()) {
      const p = pairedRegion(r);
      if (p !== undefined) expect(isKnownRegion(p), `${r} -> ${p}`).toBe(true);
      expect(canonicalRegion(regionDisplayName(r))).toBe(r);
    }
  });
});
