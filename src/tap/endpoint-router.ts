// tap.endpoints → the stack for a transaction's domain (seed 000 "Domain-Specific Rules"). An exact
// domain wins over a wildcard; among wildcards the most specific (longest) wins; `*.example.com`
// matches every name below example.com but not example.com itself. Names compare case-insensitively,
// without a trailing dot. Stack names "" and "none" mean: no stack.

export interface EndpointRoute {
  domain: string;
  stack: string;
}

/** A stack name, or undefined for "nothing handles this". */
export type StackChoice = string | undefined;

function normalizeDomain(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

const noStack = (name: string): StackChoice => (name === '' || name === 'none' ? undefined : name);

export class EndpointRouter {
  private readonly exact = new Map<string, StackChoice>();
  /** [".example.com", stack], longest suffix first. */
  private readonly wildcards: Array<[suffix: string, stack: StackChoice]> = [];
  private readonly fallback: StackChoice;

  constructor(routes: readonly EndpointRoute[], defaultStack: string) {
    this.fallback = noStack(defaultStack);
    for (const r of routes) {
      const domain = normalizeDomain(r.domain);
      if (domain.startsWith('*.')) this.wildcards.push([domain.slice(1), noStack(r.stack)]);
      else if (!this.exact.has(domain)) this.exact.set(domain, noStack(r.stack));
    }
    this.wildcards.sort((a, b) => b[0].length - a[0].length);
  }

  /** The stack for a request to `domain` (undefined domain: the host was an IP address or unknown). */
  stackFor(domain: string | undefined): StackChoice {
    if (domain === undefined || (this.exact.size === 0 && this.wildcards.length === 0)) return this.fallback;
    const name = normalizeDomain(domain);
    const exact = this.exact.get(name);
    if (exact !== undefined || this.exact.has(name)) return exact;
    for (const [suffix, stack] of this.wildcards) if (name.endsWith(suffix)) return stack;
    return this.fallback;
  }

  /** Every stack a transaction can be routed to (to build them all up front). */
  stacks(): string[] {
    const all = new Set<string>();
    for (const s of [this.fallback, ...this.exact.values(), ...this.wildcards.map((w) => w[1])]) if (s !== undefined) all.add(s);
    return [...all];
  }
}
