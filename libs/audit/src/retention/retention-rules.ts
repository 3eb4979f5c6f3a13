import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { RegisterRetentionRule, RetentionRule } from '@credence/tenancy';

/** Sorts one scope's rules by `order`; two rules with one name (one count key) or one position are a boot error. */
function inOrder(scope: RetentionRule['scope'], rules: RetentionRule[]): RetentionRule[] {
  const sorted = rules.filter((r) => r.scope === scope).sort((a, b) => a.order - b.order);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].order === sorted[i - 1].order) throw new Error(`retention rules ${sorted[i - 1].name} and ${sorted[i].name} share order ${sorted[i].order} (${scope})`);
  }
  const names = sorted.map((r) => r.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`two ${scope} retention rules are named ${twice}`);
  return sorted;
}

/**
 * The retention rules registered in this process (`@RegisterRetentionRule()` providers, each
 * supplied by the lib that owns its table), found once at boot, per scope and in order.
 */
@Injectable()
export class RetentionRules implements OnModuleInit {
  private found?: { tenant: RetentionRule[]; platform: RetentionRule[] };

  constructor(private readonly discovery: DiscoveryService) {}

  /** At boot, so that a clash stops the process; a worker that starts earlier finds them on first use. */
  onModuleInit(): void {
    this.load();
  }

  /** Applied to each retained tenant, in this order. */
  get tenant(): readonly RetentionRule[] {
    return this.load().tenant;
  }

  /** The platform part of a run, in this order. */
  get platform(): readonly RetentionRule[] {
    return this.load().platform;
  }

  private load(): { tenant: RetentionRule[]; platform: RetentionRule[] } {
    if (!this.found) {
      const rules = new Set<RetentionRule>();
      for (const wrapper of this.discovery.getProviders({ metadataKey: RegisterRetentionRule.KEY })) {
        if (wrapper.instance) rules.add(wrapper.instance as RetentionRule);
      }
      this.found = { tenant: inOrder('tenant', [...rules]), platform: inOrder('platform', [...rules]) };
    }
    return this.found;
  }
}
