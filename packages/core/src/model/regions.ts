// Azure regions: canonical names (`westeurope`), display forms as used in tag names (`WestEurope`), and the
// cross-region replication pairs that decide a Storage endpoint's scope (R-SE-REGION, R-SVC-2).

/** Canonical name -> the form Microsoft uses in service tag names (`Storage.WestEurope`). */
const DISPLAY: Record<string, string> = {
  eastus: 'EastUS', eastus2: 'EastUS2', centralus: 'CentralUS', northcentralus: 'NorthCentralUS',
  southcentralus: 'SouthCentralUS', southcentralus2: 'SouthCentralUS2', westcentralus: 'WestCentralUS', westus: 'WestUS',
  westus2: 'WestUS2', westus3: 'WestUS3', southeastus: 'SoutheastUS', southeastus3: 'SoutheastUS3',
  centraluseuap: 'CentralUSEUAP', eastus2euap: 'EastUS2EUAP',
  canadacentral: 'CanadaCentral', canadaeast: 'CanadaEast', brazilsouth: 'BrazilSouth', brazilsoutheast: 'BrazilSoutheast',
  mexicocentral: 'MexicoCentral', chilecentral: 'ChileCentral',
  northeurope: 'NorthEurope', westeurope: 'WestEurope', uksouth: 'UKSouth', ukwest: 'UKWest',
  francecentral: 'FranceCentral', francesouth: 'FranceSouth', germanywestcentral: 'GermanyWestCentral',
  germanynorth: 'GermanyNorth', norwayeast: 'NorwayEast', norwaywest: 'NorwayWest', swedencentral: 'SwedenCentral',
  swedensouth: 'SwedenSouth', switzerlandnorth: 'SwitzerlandNorth', switzerlandwest: 'SwitzerlandWest',
  polandcentral: 'PolandCentral', italynorth: 'ItalyNorth', spaincentral: 'SpainCentral', austriaeast: 'AustriaEast',
  belgiumcentral: 'BelgiumCentral',
  eastasia: 'EastAsia', southeastasia: 'SoutheastAsia', japaneast: 'JapanEast', japanwest: 'JapanWest',
  koreacentral: 'KoreaCentral', koreasouth: 'KoreaSouth', centralindia: 'CentralIndia', southindia: 'SouthIndia',
  westindia: 'WestIndia', jioindiacentral: 'JioIndiaCentral', jioindiawest: 'JioIndiaWest',
  australiaeast: 'AustraliaEast', australiasoutheast: 'AustraliaSoutheast', australiacentral: 'AustraliaCentral',
  australiacentral2: 'AustraliaCentral2', newzealandnorth: 'NewZealandNorth', indonesiacentral: 'IndonesiaCentral',
  malaysiawest: 'MalaysiaWest', malaysiasouth: 'MalaysiaSouth', taiwannorth: 'TaiwanNorth',
  taiwannorthwest: 'TaiwanNorthwest',
  uaenorth: 'UAENorth', uaecentral: 'UAECentral', qatarcentral: 'QatarCentral', israelcentral: 'IsraelCentral',
  israelnorthwest: 'IsraelNorthwest', southafricanorth: 'SouthAfricaNorth', southafricawest: 'SouthAfricaWest',
};

/** Short forms found in ServiceTags_Public.json `properties.region` (e.g. `centralfrance` for France Central). */
const ALIASES: Record<string, string> = {
  centralfrance: 'francecentral', southfrance: 'francesouth', germanyn: 'germanynorth', germanywc: 'germanywestcentral',
  norwaye: 'norwayeast', norwayw: 'norwaywest', switzerlandn: 'switzerlandnorth', switzerlandw: 'switzerlandwest',
  brazilse: 'brazilsoutheast', chilec: 'chilecentral',
};

/**
 * Azure's paired regions (docs: cross-region replication). Most pairs are symmetric; a few are one-way
 * (westus3 -> eastus, brazilsouth -> southcentralus, westindia -> southindia, brazilsoutheast -> brazilsouth).
 * Regions without a pair (qatarcentral, polandcentral, italynorth, ...) are absent.
 */
const PAIRS: Record<string, string> = {};
const pair = (a: string, b: string, oneWay = false) => {
  PAIRS[a] = b;
  if (!oneWay) PAIRS[b] = a;
};
pair('westeurope', 'northeurope');
pair('eastus', 'westus');
pair('eastus2', 'centralus');
pair('northcentralus', 'southcentralus');
pair('westus2', 'westcentralus');
pair('westus3', 'eastus', true);
pair('canadacentral', 'canadaeast');
pair('brazilsouth', 'southcentralus', true);
pair('brazilsoutheast', 'brazilsouth', true);
pair('uksouth', 'ukwest');
pair('francecentral', 'francesouth');
pair('germanywestcentral', 'germanynorth');
pair('norwayeast', 'norwaywest');
pair('switzerlandnorth', 'switzerlandwest');
pair('swedencentral', 'swedensouth');
pair('eastasia', 'southeastasia');
pair('japaneast', 'japanwest');
pair('koreacentral', 'koreasouth');
pair('centralindia', 'southindia');
pair('westindia', 'southindia', true);
pair('jioindiawest', 'jioindiacentral');
pair('australiaeast', 'australiasoutheast');
pair('australiacentral', 'australiacentral2');
pair('uaenorth', 'uaecentral');
pair('southafricanorth', 'southafricawest');
pair('centraluseuap', 'eastus2euap');

/** `WestEurope`, `west europe`, `West-Europe`, `westeurope`, `centralfrance` -> `westeurope` / `francecentral`. */
export function canonicalRegion(name: string): string {
  const flat = String(name).toLowerCase().replace(/[\s_-]+/g, '');
  // Own keys only: a region named "constructor" or "toString" must not resolve to Object.prototype's members.
  return Object.hasOwn(ALIASES, flat) ? ALIASES[flat]! : flat;
}

/** `westeurope` -> `WestEurope` (the form in tag names); an unknown region is returned canonicalized. */
export function regionDisplayName(region: string): string {
  const c = canonicalRegion(region);
  return Object.hasOwn(DISPLAY, c) ? DISPLAY[c]! : c;
}

export function isKnownRegion(region: string): boolean {
  return Object.hasOwn(DISPLAY, canonicalRegion(region));
}

/** The paired region (canonical), or undefined when the region has none or is unknown. */
export function pairedRegion(region: string): string | undefined {
  const c = canonicalRegion(region);
  return Object.hasOwn(PAIRS, c) ? PAIRS[c] : undefined;
}

/** Every known region, canonical names. */
export function knownRegions(): string[] {
  return Object.keys(DISPLAY);
}
