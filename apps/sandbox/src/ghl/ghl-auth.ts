import { Router, type RequestHandler } from 'express';
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

/** A day of arrivals at GHL's own limit; older ones are dropped. */
const ARRIVALS_KEPT = 250_000;

/** What one location's traffic looked like at the limiter: when each request came, how many were refused. */
class LocationRequests {
  arrivals: number[] = [];
  rejected = 0;

  add(at: number): void {
    this.arrivals.push(at);
    if (this.arrivals.length > ARRIVALS_KEPT * 1.2) this.arrivals.splice(0, this.arrivals.length - ARRIVALS_KEPT);
  }
}

/** Arrivals per location, per sandbox (keyed by its account registry), for the control route. */
const requestLogs = new WeakMap<AccountRegistry, { limits: RateLimitOptions; locations: Map<string, LocationRequests> }>();

/** The most arrivals any `intervalMs` window holds, wherever it starts (a sliding window, not GHL's fixed one). */
export function maxInAnyWindow(arrivals: readonly number[], intervalMs: number): number {
  let most = 0;
  for (let first = 0, last = 0; last < arrivals.length; last++) {
    while (arrivals[last]! - arrivals[first]! >= intervalMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/**
 * `/_sandbox/ghl/locations/:locationId/requests`: GET → `{count, rejected, maxInAnyWindow,
 * max, intervalMs}` (with `?arrivals=true` also each arrival in ms since the epoch);
 * DELETE forgets the location's record. Counts what reached the limiter: requests
 * answered by an injected http-error or hang fault never get there.
 */
export function ghlRequestRoutes(accounts: AccountRegistry): Router {
  const router = Router();
  const of = (locationId: string) => requestLogs.get(accounts)?.locations.get(locationId);
  router.get('/locations/:locationId/requests', (req, res) => {
    const log = requestLogs.get(accounts);
    const limits = log?.limits;
    const record = of(req.params.locationId);
    const arrivals = record?.arrivals ?? [];
    res.json({
      locationId: req.params.locationId,
      count: arrivals.length,
      rejected: record?.rejected ?? 0,
      maxInAnyWindow: limits ? maxInAnyWindow(arrivals, limits.intervalMs) : 0,
      max: limits?.max ?? null,
      intervalMs: limits?.intervalMs ?? null,
      ...(req.query['arrivals'] === 'true' ? { arrivals } : {}),
    });
  });
  router.delete('/locations/:locationId/requests', (req, res) => {
    requestLogs.get(accounts)?.locations.delete(req.params.locationId);
    res.status(204).end();
  });
  return router;
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
  const log = { limits, locations: new Map<string, LocationRequests>() };
  requestLogs.set(accounts, log);
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
    let record = log.locations.get(account.locationId);
    if (!record) {
      record = new LocationRequests();
      log.locations.set(account.locationId, record);
    }
    record.add(now);
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
      record.rejected += 1;
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
