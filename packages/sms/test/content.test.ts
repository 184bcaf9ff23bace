import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { classifyKeyword, classifyReminderAnswer, countSegments, nextSendTime, parseTemplate, recipientWindow, renderTemplate, segmentInfo, TemplateError } from '../src/index.js';

describe('segments', () => {
  it('counts GSM-7 at 160/153 and UCS-2 at 70/67, extension characters as two', () => {
    expect(segmentInfo('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(countSegments('a'.repeat(161))).toBe(2);
    expect(countSegments('a'.repeat(306))).toBe(2);
    expect(countSegments('a'.repeat(307))).toBe(3);
    expect(countSegments('{'.repeat(80))).toBe(1);
    expect(countSegments('{'.repeat(81))).toBe(2);
    expect(segmentInfo(`${'a'.repeat(69)}😀`)).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(segmentInfo('Your tech is on the way ’')).toEqual({ encoding: 'UCS-2', segments: 1 });
  });
});

describe('templates', () => {
  it('checks placeholders when saved and lists the variables', () => {
    expect(parseTemplate('Hi {{firstName}}, your estimate {{ estimateId }} is ready. {{firstName}}')).toEqual(['firstName', 'estimateId']);
    expect(() => parseTemplate('Hi {{first name}}')).toThrow(TemplateError);
    expect(() => parseTemplate('Hi {{firstName}')).toThrow(TemplateError);
    expect(() => parseTemplate('Hi {{}}')).toThrow(TemplateError);
  });

  it('renders with every variable given, refuses missing or blank ones', () => {
    expect(renderTemplate('Hi {{name}}, ${{amount}} due', { name: 'Ana', amount: 120 })).toBe('Hi Ana, $120 due');
    expect(() => renderTemplate('Hi {{name}}', {})).toThrow(/Missing template variable\(s\): name/);
    expect(() => renderTemplate('Hi {{name}}', { name: '  ' })).toThrow(TemplateError);
  });
});

describe('keywords', () => {
  it.each(['STOP', ' stop ', 'Stopall', 'unsubscribe', 'CANCEL', 'end', 'QUIT', 'revoke', 'optout', 'opt out', 'Opt-out', 'Stop texting me', 'stop texting me please', 'please stop messaging me!', "don't text me anymore", 'remove me from your list', 'no more texts'])(
    'treats %j as an opt-out',
    (body) => expect(classifyKeyword(body)?.intent).toBe('opt_out'),
  );
  it.each(['START', 'yes', 'Unstop'])('treats %j as an opt-in', (body) => expect(classifyKeyword(body)?.intent).toBe('opt_in'));
  it.each(['HELP', 'info'])('treats %j as help', (body) => expect(classifyKeyword(body)?.intent).toBe('help'));
  it.each(['Stop by at 3?', 'yes please come tomorrow', 'Can you end the visit early', 'what is this', 'I will stop by'])('treats %j as a reply', (body) => {
    expect(classifyKeyword(body)).toBeUndefined();
  });
});

describe('quiet hours', () => {
  const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toJSDate();
  const local = (date: Date, zone: string) => DateTime.fromJSDate(date, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

  it('delays a send due at 21:30 recipient time to 08:00 the next morning, and never sends early', () => {
    const zone = 'America/Chicago';
    expect(local(nextSendTime(at('2030-06-03T21:30', zone), zone, { start: '08:00', end: '21:00' }), zone)).toBe('2030-06-04T08:00');
    expect(local(nextSendTime(at('2030-06-04T06:15', zone), zone, { start: '08:00', end: '21:00' }), zone)).toBe('2030-06-04T08:00');
    const inside = at('2030-06-03T20:59', zone);
    expect(nextSendTime(inside, zone, { start: '08:00', end: '21:00' })).toEqual(inside);
    // Across the DST change the opening is still 08:00 local.
    expect(local(nextSendTime(at('2030-03-09T22:00', zone), zone, { start: '08:00', end: '21:00' }), zone)).toBe('2030-03-10T08:00');
  });

  it('works out the zone from the address, else the area code, else the tenant', () => {
    expect(recipientWindow({ phone: '+12125550123', timezone: 'America/Denver' }, 'America/Chicago')).toMatchObject({ zone: 'America/Denver', zoneSource: 'address' });
    expect(recipientWindow({ phone: '+12125550123', state: 'CA' }, 'America/Chicago')).toMatchObject({ zone: 'America/Los_Angeles', zoneSource: 'address' });
    expect(recipientWindow({ phone: '+12125550123' }, 'America/Chicago')).toMatchObject({ zone: 'America/New_York', zoneSource: 'area_code' });
    expect(recipientWindow({ phone: '+18505550123' }, 'America/New_York')).toMatchObject({ zone: 'America/Chicago' });
    expect(recipientWindow({ phone: '+442079460958' }, 'America/Chicago')).toMatchObject({ zone: 'America/Chicago', zoneSource: 'tenant' });
  });

  it('cuts Florida, Oklahoma and Maryland numbers or addresses off at 20:00', () => {
    for (const phone of ['+13055550123', '+14055550123', '+14105550123']) {
      expect(recipientWindow({ phone }, 'America/Chicago').window).toEqual({ start: '08:00', end: '20:00' });
    }
    expect(recipientWindow({ phone: '+15125550123', state: 'fl' }, 'America/Chicago').window.end).toBe('20:00');
    expect(recipientWindow({ phone: '+15125550123' }, 'America/Chicago').window.end).toBe('21:00');
    // A tenant window that already ends earlier stays.
    expect(recipientWindow({ phone: '+13055550123' }, 'America/Chicago', { start: '09:00', end: '19:00' }).window).toEqual({ start: '09:00', end: '19:00' });
    const miami = recipientWindow({ phone: '+13055550123' }, 'America/Chicago');
    expect(local(nextSendTime(at('2030-06-03T20:30', miami.zone), miami.zone, miami.window), miami.zone)).toBe('2030-06-04T08:00');
  });
});

describe('reminder answers', () => {
  it('C, CONFIRM, CONFIRMED confirm and R, RESCHEDULE reschedule, case and spaces ignored; YES is not a confirmation', () => {
    for (const body of ['C', 'c', ' c ', 'Confirm', 'CONFIRMED', 'con firm', 'confirmed!']) expect(classifyReminderAnswer(body)).toBe('confirm');
    for (const body of ['R', 'r', 'Reschedule', 'RESCHEDULE.']) expect(classifyReminderAnswer(body)).toBe('reschedule');
    for (const body of ['YES', 'Y', 'ok', 'C please', 'can you come Thursday?', '']) expect(classifyReminderAnswer(body)).toBeUndefined();
    // YES stays Twilio's opt-in keyword.
    expect(classifyKeyword('YES')?.intent).toBe('opt_in');
  });
});
