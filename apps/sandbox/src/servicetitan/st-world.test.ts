import { describe, expect, it } from 'vitest';
import { ST_RESOURCES } from './st-resources.js';
import { StWorld } from './st-world.js';

const anchorMs = Date.parse('2026-01-15T00:00:00Z');

describe('StWorld', () => {
  it('computes the same records from the same seed, and different ones from another', () => {
    const a = new StWorld({ seed: 9, size: 50, anchorMs });
    const b = new StWorld({ seed: 9, size: 50, anchorMs });
    const c = new StWorld({ seed: 10, size: 50, anchorMs });
    for (const resource of ST_RESOURCES) expect(b.get(resource, 3)).toEqual(a.get(resource, 3));
    expect(c.get('customers', 3)).not.toEqual(a.get('customers', 3));
  });

  it('keeps relations consistent across resources', () => {
    const world = new StWorld({ seed: 9, size: 50, anchorMs });
    for (let i = 0; i < 50; i++) {
      const job = world.get('jobs', i);
      const appointment = world.get('appointments', i);
      const estimate = world.get('estimates', i);
      const invoice = world.get('invoices', i);
      expect(appointment['jobId']).toBe(job.id);
      expect(estimate['jobId']).toBe(job.id);
      expect(invoice['job']).toMatchObject({ id: job.id });
      expect(world.get('customerContacts', 2 * i)['customerId']).toBe(job['customerId']);
      if ((estimate['status'] as { name: string }).name === 'Sold') expect(estimate['soldOn']).not.toBeNull();
      expect(estimate).not.toHaveProperty('total');
    }
  });

  it('spreads estimate subtotals so a good share is over $1,000', () => {
    const world = new StWorld({ seed: 1, size: 2_000, anchorMs });
    let over = 0;
    for (let i = 0; i < 2_000; i++) if ((world.get('estimates', i)['subtotal'] as number) > 1_000) over += 1;
    expect(over / 2_000).toBeGreaterThan(0.45);
    expect(over / 2_000).toBeLessThan(0.75);
  });
});
