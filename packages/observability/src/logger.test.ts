import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, withCorrelation } from './index.js';

function capture(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: createLogger({ name: 'test', level, destination }), lines, raw };
}

describe('logger', () => {
  it('writes JSON lines carrying the current correlation id', () => {
    const { logger, lines } = capture();
    withCorrelation({ correlationId: 'corr-123', tenantId: 't1' }, () => logger.info('inside'));
    logger.info('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', correlationId: 'corr-123', tenantId: 't1', level: 'info' });
    expect(lines[1]).not.toHaveProperty('correlationId');
  });

  it('never writes secrets, at any depth or inside messages', () => {
    const { logger, raw } = capture('trace');
    const secrets = ['fh_live_abcdefghijklmnop', 'eyJhbGciOiJIUzI1NiJ9.payload.sig', 'st-client-secret-value', 'twilio-auth-token-value'];
    logger.info({ req: { headers: { authorization: `Bearer ${secrets[1]}`, 'x-api-key': secrets[0] } } }, 'request');
    logger.info({ tenant: { servicetitan: { clientSecret: secrets[2] } }, twilio: { authToken: secrets[3] } }, 'tenant');
    logger.warn(`vendor said no to Bearer ${secrets[1]}`);
    logger.error({ err: new Error(`failed with token=${secrets[0]}`) }, 'boom');
    const output = raw.join('');
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).toContain('[REDACTED]');
  });

  it('scrubs our API keys and URL credentials from free text, keeping what tells them apart', () => {
    const { logger, raw } = capture('info');
    const secret = 'Q'.repeat(43);
    logger.warn(`rejected key fh_ABCDEFGHIJKL_${secret} from the office`);
    logger.error({ err: new Error('connect to postgres://fieldhand:s3cr3t-pw@db.internal:5432/fieldhand failed') }, 'no database');
    logger.info('redis at redis://:r3dis-pass@cache:6379 is back');
    const output = raw.join('');
    for (const leaked of [secret, 's3cr3t-pw', 'r3dis-pass']) expect(output).not.toContain(leaked);
    expect(output).toContain('fh_ABCDEFGHIJKL_[REDACTED]');
    expect(output).toContain('postgres://[REDACTED]@db.internal:5432');
  });

  it('masks phone numbers to the last four digits at info level', () => {
    const { logger, raw, lines } = capture('info');
    logger.info({ to: '+15551234567', message: { from: '+15559876543' } }, 'texting +15551234567');
    const output = raw.join('');
    expect(output).not.toContain('5551234567');
    expect(output).not.toContain('5559876543');
    expect(lines[0]).toMatchObject({ to: '+*******4567', msg: 'texting +*******4567' });
  });

  it('shows whole phone numbers at debug level for troubleshooting', () => {
    const { logger, lines } = capture('debug');
    logger.debug({ to: '+15551234567' }, 'x');
    expect(lines[0]).toMatchObject({ to: '+15551234567' });
  });
});
