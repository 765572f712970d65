// Service tags in Microsoft's published shape (ServiceTags_Public.json), loaded once at the edge.

export interface ServiceTag {
  /** As published: `Storage`, `Storage.WestEurope`, `Sql.EastUS`, `AzureKeyVault`. */
  name: string;
  /** Canonical lower-case region (`westeurope`), or '' for a global tag. */
  region: string;
  /** `properties.systemService` (`AzureStorage`, ...), '' when absent. */
  systemService: string;
  /** Canonical prefix strings, split by family, in file order. */
  v4: string[];
  v6: string[];
  /** `properties.networkFeatures` (`API`, `NSG`, `UDR`, `FW`, `VSE`), [] when absent. */
  networkFeatures: string[];
}

export interface ServiceTagSet {
  /** 'builtin' or the file path it was loaded from. */
  readonly source: string;
  readonly changeNumber: number;
  readonly cloud: string;
  /** Case-insensitive lookup by tag name (`storage.westeurope` finds `Storage.WestEurope`). */
  get(name: string): ServiceTag | undefined;
  has(name: string): boolean;
  /** Every tag, in file order. */
  all(): readonly ServiceTag[];
}
