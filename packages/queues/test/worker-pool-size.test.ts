import { describe, expect, it } from 'vitest';
import { QUEUE_SETTINGS, workerPoolSize } from '../src/index.js';

describe('workerPoolSize', () => {
  it('gives a worker at least one connection per job it runs at once, plus one', () => {
    const sms = ['sms-send', 'sms-inbound', 'sms-status'] as const;
    const concurrency = sms.reduce((sum, q) => sum + QUEUE_SETTINGS[q].concurrency, 0);
    expect(workerPoolSize(sms, 10)).toBe(concurrency + 1);
    expect(workerPoolSize(['maintenance'], 10)).toBe(10);
    expect(workerPoolSize(sms, 100)).toBe(100);
  });
});
