// The alert rules and the Grafana dashboard in deploy/ parse, and name only metrics the
// product registers: a renamed metric fails here, not silently in production.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deploymentRegistry, metricsRegistry } from '../src/index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const alertsFile = `${root}deploy/prometheus/alerts.yml`;
const alertsTestFile = `${root}deploy/prometheus/alerts.test.yml`;
const dashboardFile = `${root}deploy/grafana/fieldhand.json`;

type Rule = { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
type Target = { expr?: string };
type Panel = { id: number; type: string; title: string; targets?: Target[]; panels?: Panel[] };

const promtool = (() => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Every series name the product exposes: each registry's metrics, histograms with their _bucket, _sum and _count. */
async function exposedNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const registry of [metricsRegistry, deploymentRegistry]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name);
      if (String(metric.type) === 'histogram' || String(metric.type) === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    }
  }
  return names;
}

const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/** The metric names a PromQL expression reads (not its functions, labels, keywords, durations or Grafana variables). */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/(?<![\w.$])[a-zA-Z_:][\w:]*(?![\w:]|\s*\()/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w.toLowerCase()));
  return [...new Set(names)];
}

describe('metric name extraction (the check below is only as good as this)', () => {
  it('finds metrics and skips functions, labels, keywords and durations', () => {
    expect(metricNamesIn('sum by (queue) (increase(fieldhand_jobs_total{outcome="dead_lettered"}[15m])) > 0')).toEqual(['fieldhand_jobs_total']);
    expect(metricNamesIn('a_total / on (queue) group_left b_bytes > 0.8 unless c offset 5m')).toEqual(['a_total', 'b_bytes', 'c']);
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le) (rate(x_bucket[$__rate_interval])))')).toEqual(['x_bucket']);
  });
});

describe('deploy/prometheus/alerts.yml', () => {
  const file = parse(readFileSync(alertsFile, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
  const rules = file.groups.flatMap((g) => g.rules);

  it.skipIf(!promtool)('passes promtool check rules, and its unit tests (alerts.test.yml)', () => {
    expect(execFileSync('promtool', ['check', 'rules', alertsFile], { encoding: 'utf8' })).toContain('SUCCESS');
    expect(execFileSync('promtool', ['test', 'rules', alertsTestFile], { encoding: 'utf8' })).toContain('SUCCESS');
  });

  it('has the alerts operators need, each with a severity and a summary', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['FieldhandDeadLettersGrowing', 'FieldhandSyncModuleLagging', 'FieldhandUnknownMessages', 'FieldhandWorkersWithoutProgress', 'FieldhandRedisMemoryNearLimit']),
    );
    for (const rule of rules) {
      expect(rule.expr, rule.alert).toEqual(expect.any(String));
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toEqual(expect.any(String));
    }
    expect(rules.find((r) => r.alert === 'FieldhandSyncModuleLagging')?.expr).toMatch(/> 900\b/);
  });

  it('names only metrics the product registers', async () => {
    const exposed = await exposedNames();
    for (const rule of rules) {
      const names = metricNamesIn(rule.expr);
      expect(names.length, rule.alert).toBeGreaterThan(0);
      expect(names.filter((n) => !exposed.has(n)), rule.alert).toEqual([]);
    }
  });
});

describe('deploy/grafana/fieldhand.json', () => {
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as { uid: string; title: string; panels: Panel[]; templating: { list: Array<{ name: string; type: string }> } };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const queried = panels.filter((p) => p.type !== 'row');

  it('is a dashboard with unique panel ids, each panel querying the Prometheus data source variable', () => {
    expect(dashboard.uid).toBe('fieldhand');
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    expect(queried.length).toBeGreaterThan(10);
    for (const panel of queried) expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
  });

  it('names only metrics the product registers', async () => {
    const exposed = await exposedNames();
    for (const panel of queried) {
      for (const target of panel.targets ?? []) {
        const names = metricNamesIn(target.expr ?? '');
        expect(names.length, panel.title).toBeGreaterThan(0);
        expect(names.filter((n) => !exposed.has(n)), panel.title).toEqual([]);
      }
    }
  });
});
