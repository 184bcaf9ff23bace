import type { Vendor } from '../prefixes.js';
import { createRandom, hashString, mixSeed, type Random } from '../util/prng.js';
import { faultConfigSchema, type FaultConfigInput, type FaultKind, type FaultRule } from './fault-rules.js';

export interface FaultRequest {
  vendor: Vendor;
  method: string;
  path: string;
}

export interface InjectedFault {
  ruleId: string;
  kind: FaultKind;
  method: string;
  path: string;
  at: string;
}

const HISTORY_LIMIT = 500;

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const pattern = escaped
    .split('**')
    .map((part) => part.replace(/\*/g, '[^/]*'))
    .join('.*');
  return new RegExp(`^${pattern}$`);
}

interface ArmedRule {
  rule: FaultRule;
  endpoint: RegExp | null;
  random: Random;
}

/** Holds the fault rules and rolls their dice. */
export class FaultEngine {
  private seed = 1;
  private armed: ArmedRule[] = [];
  private readonly history: InjectedFault[] = [];

  constructor(config?: FaultConfigInput) {
    if (config) this.configure(config);
  }

  /** Replaces all rules and restarts every rule's dice from the seed. */
  configure(input: FaultConfigInput): void {
    const config = faultConfigSchema.parse(input);
    this.seed = config.seed;
    this.armed = config.rules.map((parsed, position) => {
      const rule: FaultRule = { ...parsed, id: parsed.id ?? `rule-${position + 1}` };
      return {
        rule,
        endpoint: rule.endpoint ? globToRegExp(rule.endpoint) : null,
        random: createRandom(mixSeed(config.seed, hashString(rule.id), position)),
      };
    });
    this.history.length = 0;
  }

  clear(): void {
    this.configure({ seed: this.seed, rules: [] });
  }

  describe(): { seed: number; rules: FaultRule[]; injected: InjectedFault[] } {
    return { seed: this.seed, rules: this.armed.map((armed) => armed.rule), injected: [...this.history] };
  }

  /**
   * Rolls every rule of the given kinds that matches the request, in rule order, and
   * returns those that fire. A rule only rolls for requests it matches, so unrelated
   * traffic does not shift its dice.
   */
  roll(request: FaultRequest, kinds: readonly FaultKind[]): FaultRule[] {
    const fired: FaultRule[] = [];
    for (const armed of this.armed) {
      const { rule } = armed;
      if (!kinds.includes(rule.kind)) continue;
      if (rule.vendor && rule.vendor !== request.vendor) continue;
      if (rule.method && rule.method !== request.method) continue;
      if (armed.endpoint && !armed.endpoint.test(request.path)) continue;
      if (armed.random.next() >= rule.probability) continue;
      fired.push(rule);
      this.history.push({ ruleId: rule.id, kind: rule.kind, method: request.method, path: request.path, at: new Date().toISOString() });
      if (this.history.length > HISTORY_LIMIT) this.history.shift();
    }
    return fired;
  }
}
