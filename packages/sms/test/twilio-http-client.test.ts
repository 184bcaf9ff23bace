import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type RunningSandbox } from '../../../apps/sandbox/src/index.js';
import { classifySendError, createTwilioClient } from '../src/index.js';

const SENDER = '+17372004088';
const ACCOUNT_SID = `AC${'8'.repeat(32)}`;
const AUTH_TOKEN = 'client-test-auth-token-0123456789';

let sandbox: RunningSandbox;
let silent: Server;
let silentUrl: string;

beforeAll(async () => {
  sandbox = await createSandbox({ logLevel: 'silent', twilioStatusStepMs: 60_000 }).listen(0);
  await fetch(`${sandbox.url}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 0, twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [{ phoneNumber: SENDER, smsUrl: 'http://127.0.0.1:9/sms' }] } }),
  });
  // Takes the request and never answers: a Twilio that may or may not have the message.
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});

afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
  await sandbox.close();
});

const client = (token = AUTH_TOKEN, url = `${sandbox.url}/twilio`, timeoutMs = 5_000) => createTwilioClient(url, { accountSid: ACCOUNT_SID, authToken: token }, timeoutMs);

describe('the Twilio client over node:http', () => {
  it('drops an idle kept-alive socket before the server would, so no send races the server closing it', async () => {
    // A Node server closes idle sockets after keepAliveTimeout and says so (Keep-Alive: timeout=3).
    let connections = 0;
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    server.keepAliveTimeout = 3_000;
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const http = client(AUTH_TOKEN, url).httpClient;
      expect((await http.request({ method: 'get', uri: `${url}/one` })).statusCode).toBe(200);
      expect((await http.request({ method: 'get', uri: `${url}/two` })).statusCode).toBe(200);
      expect(connections).toBe(1); // kept alive between sends close together
      // Idle for 2.5 s: the server would keep the socket until 3 s, so reusing it now is the race.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect((await http.request({ method: 'get', uri: `${url}/three` })).statusCode).toBe(200);
      expect(connections).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sends a form-encoded message and reads Twilio\'s answer; the message can be listed back by To and DateSent', async () => {
    const before = new Date(Date.now() - 60_000);
    const body = 'Ünïcode & symbols = fine? 100%';
    const direct = client();
    const sent = await direct.messages.create({ to: '+15125550201', from: SENDER, body, statusCallback: 'http://127.0.0.1:9/status' });
    expect(sent).toMatchObject({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), to: '+15125550201', from: SENDER, body, status: 'queued' });
    expect(direct.httpClient.lastResponse).toBeUndefined();

    const listed = await client().messages.list({ to: '+15125550201', dateSentAfter: before, pageSize: 100, limit: 500 });
    expect(listed.map((m) => m.sid)).toEqual([sent.sid]);
  });

  it('Twilio errors keep their HTTP status and code, so a refusal is never mistaken for "maybe sent"', async () => {
    const invalid = await client().messages.create({ to: '+15005550001', from: SENDER, body: 'x' }).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 400, code: 21211 });
    expect(classifySendError(invalid)).toMatchObject({ kind: 'permanent', code: 21211 });

    const unauthorized = await client('wrong-token').messages.create({ to: '+15125550202', from: SENDER, body: 'x' }).catch((error: unknown) => error);
    expect(unauthorized).toMatchObject({ status: 401, code: 20003 });
  });

  it('no answer within the timeout is an error without a status: ambiguous, looked up before any resend', async () => {
    const started = Date.now();
    const error = await client(AUTH_TOKEN, silentUrl, 300).messages.create({ to: '+15125550203', from: SENDER, body: 'x' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(classifySendError(error)).toMatchObject({ kind: 'ambiguous', message: expect.stringContaining('did not answer within 300 ms') });
  });

  it('with TWILIO_CA_BUNDLE (or HTTP_PROXY) set, the package\'s own client carries the request, to the same host', async () => {
    const bundle = join(mkdtempSync(join(tmpdir(), 'twilio-ca-')), 'ca.pem');
    writeFileSync(bundle, '');
    process.env.TWILIO_CA_BUNDLE = bundle;
    try {
      const viaPackage = client();
      const sent = await viaPackage.messages.create({ to: '+15125550204', from: SENDER, body: 'via the package' });
      expect(sent).toMatchObject({ sid: expect.stringMatching(/^SM/), body: 'via the package' });
      // Only the package's axios path records lastResponse.
      expect(viaPackage.httpClient.lastResponse?.statusCode).toBe(201);
      const refused = await client().messages.create({ to: '+15005550001', from: SENDER, body: 'x' }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ status: 400, code: 21211 });
    } finally {
      delete process.env.TWILIO_CA_BUNDLE;
    }
  });
});
