import { twilioSignature } from './signature.js';

export interface PostResult {
  httpStatus: number | null;
  body: string;
  error: string | null;
}

const TIMEOUT_MS = 15_000;

/** POSTs a form the way Twilio calls webhooks: form-encoded, signed with the account's auth token. */
export async function postSignedForm(url: string, authToken: string, params: Record<string, string>): Promise<PostResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        'X-Twilio-Signature': twilioSignature(authToken, url, params),
        'User-Agent': 'TwilioProxy/1.1',
        Accept: '*/*',
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return { httpStatus: response.status, body: await response.text(), error: null };
  } catch (error) {
    return { httpStatus: null, body: '', error: error instanceof Error ? error.message : String(error) };
  }
}
