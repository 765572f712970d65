/** A malformed service-tags document or an unknown tag. `path` is a JSON-style path (`values[12].properties.addressPrefixes[3]`). */
export class ServiceTagError extends Error {
  override readonly name = 'ServiceTagError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path === '' ? message : `${path}: ${message}`);
  }
}
