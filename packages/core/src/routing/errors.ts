/** A network description the routing compiler cannot use. `path` says where (`network.routeTables[0].routes[2]`). */
export class RoutingError extends Error {
  override readonly name = 'RoutingError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}
