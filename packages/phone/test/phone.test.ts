import { describe, expect, it } from 'vitest';
import { areaCodeOf, normalizePhone } from '../src/index.js';

describe('phone numbers', () => {
  it('normalises common US forms to E.164 and refuses invalid ones', () => {
    expect(normalizePhone('(512) 555-0123')).toBe('+15125550123');
    expect(normalizePhone('512.555.0123')).toBe('+15125550123');
    expect(normalizePhone('+1 512 555 0123')).toBe('+15125550123');
    expect(normalizePhone('+44 20 7946 0958')).toBe('+442079460958');
    expect(normalizePhone('555-0123')).toBeUndefined();
    expect(normalizePhone('not a number')).toBeUndefined();
    expect(normalizePhone('+1 111 555 0123')).toBeUndefined();
  });
});

describe('area codes', () => {
  it('are read from North American numbers only', () => {
    expect(areaCodeOf('+15125550123')).toBe('512');
    expect(areaCodeOf('+442079460958')).toBeUndefined();
  });
});
