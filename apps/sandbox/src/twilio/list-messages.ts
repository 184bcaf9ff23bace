import type { Request } from 'express';
import type { SandboxMessage } from './message-ledger.js';
import { API_VERSION, messageResource } from './message-resource.js';

function text(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Twilio's Messages list: newest first, filters To/From/DateSent(</>), PageSize/Page paging. */
export function listMessages(req: Request, accountSid: string, messages: readonly SandboxMessage[]): Record<string, unknown> {
  const to = text(req, 'To');
  const from = text(req, 'From');
  const sentOn = text(req, 'DateSent');
  const sentBefore = text(req, 'DateSent<');
  const sentAfter = text(req, 'DateSent>');
  const pageSize = Math.min(1_000, Math.max(1, Number(text(req, 'PageSize') ?? 50) || 50));
  const page = Math.max(0, Number(text(req, 'Page') ?? 0) || 0);

  const matching = messages
    .filter((message) => {
      const sent = message.dateSentMs ?? message.dateCreatedMs;
      if (to && message.to !== to) return false;
      if (from && message.from !== from) return false;
      if (sentOn && dayOf(sent) !== sentOn.slice(0, 10)) return false;
      if (sentBefore && sent > endOf(sentBefore)) return false;
      if (sentAfter && sent < Date.parse(sentAfter)) return false;
      return true;
    })
    .sort((a, b) => b.dateCreatedMs - a.dateCreatedMs);

  const start = page * pageSize;
  const slice = matching.slice(start, start + pageSize);
  const base = `/${API_VERSION}/Accounts/${accountSid}/Messages.json`;
  const pageUri = (n: number): string => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query)) if (typeof value === 'string' && key !== 'Page' && key !== 'PageToken') query.set(key, value);
    query.set('PageSize', String(pageSize));
    query.set('Page', String(n));
    return `${base}?${query.toString()}`;
  };
  return {
    messages: slice.map(messageResource),
    end: start + Math.max(slice.length - 1, 0),
    first_page_uri: pageUri(0),
    next_page_uri: start + pageSize < matching.length ? pageUri(page + 1) : null,
    page,
    page_size: pageSize,
    previous_page_uri: page > 0 ? pageUri(page - 1) : null,
    start,
    uri: pageUri(page),
  };
}

/** A bare date in a "before" filter means the whole of that day. */
function endOf(value: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(value) + 86_399_999 : Date.parse(value);
}
