// GSM 03.38 basic set plus the extension table (which costs two septets per character).
const GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = '^{}\\[~]|€\f';

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** How Twilio encodes and bills a body: GSM-7 160 per single / 153 per part, UCS-2 70 / 67. */
export function segmentInfo(body: string): { encoding: SmsEncoding; segments: number } {
  let septets = 0;
  for (const char of body) {
    if (GSM_BASIC.includes(char)) septets += 1;
    else if (GSM_EXTENDED.includes(char)) septets += 2;
    else {
      // One character outside GSM-7 (an emoji, a curly quote) turns the whole text UCS-2.
      const units = body.length;
      return { encoding: 'UCS-2', segments: units <= 70 ? 1 : Math.ceil(units / 67) };
    }
  }
  return { encoding: 'GSM-7', segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}

export function countSegments(body: string): number {
  return segmentInfo(body).segments;
}
