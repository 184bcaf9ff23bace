import { describe, expect, it } from 'vitest';
import { addressRefusal, checkEndpointUrl, DELIVERY_ATTEMPTS, RETRY_SCHEDULE_MS, retryDelayMs } from '@fieldhand/events';

const strict = { allowPrivate: false, requireHttps: false };

describe('endpoint address rules', () => {
  it.each(['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.1.1', '100.64.0.1', '::1', 'fe80::1', 'fc00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1'])('refuses %s unless private addresses are allowed', (address) => {
    expect(addressRefusal(address, { allowPrivate: false })).toBeDefined();
    expect(addressRefusal(address, { allowPrivate: true })).toBeUndefined();
  });

  it.each(['0.0.0.0', '::', '169.254.169.254', '::ffff:169.254.169.254', 'fd00:ec2::254'])('refuses %s even when private addresses are allowed', (address) => {
    expect(addressRefusal(address, { allowPrivate: true })).toBeDefined();
  });

  it('accepts public addresses', () => {
    expect(addressRefusal('93.184.216.34', { allowPrivate: false })).toBeUndefined();
    expect(addressRefusal('2606:2800:220:1:248:1893:25c8:1946', { allowPrivate: false })).toBeUndefined();
  });

  it('judges numeric host forms as the address they are, and requires https when asked', async () => {
    await expect(checkEndpointUrl('http://2130706433/', strict)).rejects.toThrow(/127\.0\.0\.1 is a loopback/);
    await expect(checkEndpointUrl('http://0x7f000001/', strict)).rejects.toThrow(/loopback/);
    await expect(checkEndpointUrl('http://017700000001/', strict)).rejects.toThrow(/loopback/);
    await expect(checkEndpointUrl('http://93.184.216.34/', { allowPrivate: false, requireHttps: true })).rejects.toThrow(/https/);
    expect((await checkEndpointUrl('https://93.184.216.34/hook', { allowPrivate: false, requireHttps: true })).toString()).toBe('https://93.184.216.34/hook');
  });
});

describe('retry schedule', () => {
  it('spans about a day over 7 attempts, then is spent', () => {
    expect(DELIVERY_ATTEMPTS).toBe(7);
    const total = RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(total / 3_600_000).toBeGreaterThan(17);
    expect(total / 3_600_000).toBeLessThan(24);
    expect(retryDelayMs(1, 1, () => 0.5)).toBe(5_000);
    expect(retryDelayMs(6, 1, () => 0.5)).toBe(10 * 3_600_000);
    expect(retryDelayMs(7)).toBeUndefined();
    expect(retryDelayMs(2, 0.001, () => 0.5)).toBe(300);
  });
});
