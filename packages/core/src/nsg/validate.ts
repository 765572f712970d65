// R-NSG-1: structural checks of an NSG spec, all problems at once, each with its path. Field contents (addresses,
// tags, ports) are checked by expansion (expand.ts) when the classifier compiles; pass a resolver to check them here.
import type { NsgSpec, ProblemCode, ValidationProblem } from '../model/types.js';
import { canonicalProtocol, expandRule, NsgError, type AddressResolver } from './expand.js';

const MAX_RULES_PER_NSG = 1000;
const MAX_RULE_NAME = 80;

export function validateNsgSpec(nsg: NsgSpec, path: string, resolver?: AddressResolver): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const bad = (p: string, message: string, code: ProblemCode = 'InvalidRequest') => problems.push({ path: p, message, code });
  if (nsg.rules.length > MAX_RULES_PER_NSG)
    bad(`${path}.rules`, `${nsg.rules.length} rules: an NSG holds at most ${MAX_RULES_PER_NSG}`, 'LimitExceeded');
  const seenPriority = new Map<string, number>();
  const seenName = new Map<string, number>();
  nsg.rules.forEach((r, i) => {
    const at = `${path}.rules[${i}]`;
    if (typeof r.name !== 'string' || r.name.length === 0 || r.name.length > MAX_RULE_NAME)
      bad(`${at}.name`, `expected a rule name of 1..${MAX_RULE_NAME} characters`);
    else {
      const k = r.name.toLowerCase();
      const first = seenName.get(k);
      if (first !== undefined) bad(`${at}.name`, `duplicate rule name "${r.name}" (also ${path}.rules[${first}])`);
      else seenName.set(k, i);
    }
    if (r.direction !== 'Inbound' && r.direction !== 'Outbound') bad(`${at}.direction`, `"${r.direction}" is not Inbound or Outbound`);
    if (r.access !== 'Allow' && r.access !== 'Deny') bad(`${at}.access`, `"${r.access}" is not Allow or Deny`);
    if (canonicalProtocol(r.protocol) === undefined) bad(`${at}.protocol`, `"${r.protocol}" is not one of Tcp, Udp, Icmp, Esp, Ah, *`);
    if (!Number.isInteger(r.priority) || r.priority < 100 || r.priority > 4096)
      bad(`${at}.priority`, `${r.priority}: expected an integer from 100 to 4096`);
    else {
      const k = `${r.direction}/${r.priority}`;
      const first = seenPriority.get(k);
      if (first !== undefined)
        bad(`${at}.priority`, `priority ${r.priority} is already used by ${path}.rules[${first}] (${r.direction}); priorities are unique per direction`);
      else seenPriority.set(k, i);
    }
    if (resolver !== undefined) {
      try {
        expandRule(r, resolver, at, false);
      } catch (e) {
        if (e instanceof NsgError) bad(e.path, e.message.slice(e.path.length + 2));
        else throw e;
      }
    }
  });
  return problems;
}
