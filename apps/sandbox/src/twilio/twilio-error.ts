/** A Twilio REST error: HTTP status plus Twilio's numeric code and message. */
export class TwilioError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
  }
}
