import type { RequestHandler } from 'express';
import type { AccountRegistry, GhlAccount } from '../accounts/account-registry.js';

export const GHL_VERSION = '2021-07-28';

export interface RateLimitOptions {
  max: number;
  intervalMs: number;
  dailyMax: number;
}

interface Window {
  startedMs: number;
  used: number;
  day: string;
  usedToday: number;
}

export function ghlAccountOf(locals: Record<string, unknown>): GhlAccount {
  const account = locals['ghlAccount'];
  if (!account) throw new Error('ghlAuth must run before GHL routes');
  return account as GhlAccount;
}

/**
 * Bearer token (a location's Private Integration Token) plus the Version header, then
 * GHL's burst limit: `max` requests per `intervalMs` per location, with its headers.
 */
export function ghlAuth(accounts: AccountRegistry, limits: RateLimitOptions): RequestHandler {
  const windows = new Map<string, Window>();
  return (req, res, next) => {
    const token = /^Bearer (.+)$/i.exec(req.get('Authorization') ?? '')?.[1];
    const account = token ? accounts.ghlToken(token) : undefined;
    if (!account) {
      res.status(401).json({ statusCode: 401, message: 'Invalid JWT', error: 'Unauthorized' });
      return;
    }
    if (!req.get('Version')) {
      res.status(400).json({ statusCode: 400, message: 'Version header was not found' });
      return;
    }
    const now = Date.now();
    const today = new Date(now).toISOString().slice(0, 10);
    let window = windows.get(account.locationId);
    if (!window) {
      window = { startedMs: now, used: 0, day: today, usedToday: 0 };
      windows.set(account.locationId, window);
    }
    if (now - window.startedMs >= limits.intervalMs) {
      window.startedMs = now;
      window.used = 0;
    }
    if (window.day !== today) {
      window.day = today;
      window.usedToday = 0;
    }
    window.used += 1;
    window.usedToday += 1;
    res.setHeader('X-RateLimit-Max', String(limits.max));
    res.setHeader('X-RateLimit-Interval-Milliseconds', String(limits.intervalMs));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, limits.max - window.used)));
    res.setHeader('X-RateLimit-Limit-Daily', String(limits.dailyMax));
    res.setHeader('X-RateLimit-Daily-Remaining', String(Math.max(0, limits.dailyMax - window.usedToday)));
    if (window.used > limits.max || window.usedToday > limits.dailyMax) {
      res.status(429).json({ statusCode: 429, message: 'Too many requests, please try again later.' });
      return;
    }
    res.locals['ghlAccount'] = account;
    next();
  };
}

/** The token may only touch its own location; GHL answers 403 otherwise. */
export function sameLocation(account: GhlAccount, locationId: unknown): boolean {
  return locationId === account.locationId;
}
