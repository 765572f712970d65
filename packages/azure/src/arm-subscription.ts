// The subscription a resource lives in.
import type { ImportContext } from './arm-context.js';
import type { ArmResource } from './arm-resources.js';

/** From its id when the input has one (Terraform state, az), else the deployment's. */
export function subscriptionOf(r: ArmResource, ctx: ImportContext): string {
  const m = r.id === undefined ? null : /^\/subscriptions\/([^/]+)/i.exec(r.id);
  return m?.[1] ?? ctx.deployment.subscriptionId;
}
