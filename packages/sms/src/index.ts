export { stateOfAreaCode, zoneOfAreaCode, zoneOfState } from './area-codes.js';
export { createOutboundMessage, InvalidPhoneNumberError, sendJobId, type OutboundRequest } from './create-message.js';
export { followUpConsent, setConsent } from './consent.js';
export { classifyKeyword, type KeywordIntent } from './keywords.js';
export { processInbound, type InboundJob } from './process-inbound.js';
export { DEFAULT_SEND_WINDOW, nextSendTime, recipientWindow, type Recipient, type RecipientWindow, type SendWindow } from './quiet-hours.js';
export { INBOUND_PROVIDER, keywordReply, receiveInbound, type InboundParams, type InboundResult, type StoreInboundText } from './receive-inbound.js';
export { receiveStatus, STATUS_PROVIDER } from './receive-status.js';
// `reconcileSends`: the name the maintenance role still imports it by.
export { requeueLostSends, requeueLostSends as reconcileSends } from './requeue-lost-sends.js';
export { countSegments, segmentInfo, type SmsEncoding } from './segments.js';
export { classifySendError, PERMANENT_RECIPIENT_ERRORS, type SendFailure } from './send-errors.js';
export { sendMessage, type SendOutcome } from './send-message.js';
export { SenderRateLimit } from './sender-rate-limit.js';
export { INBOUND_PATH, publicUrl, smsSettings, STATUS_CALLBACK_PATH, statusCallbackPath, twilioCredentials, type SmsDeps, type SmsSettings } from './sms-deps.js';
export { assertTextLength, MAX_TEXT_LENGTH, parseTemplate, renderTemplate, TemplateError, TextTooLongError } from './template.js';
export { createTwilioClient, isValidTwilioSignature, TwilioClients, type TwilioClient, type TwilioCredentials } from './twilio-client.js';
export { twimlResponse } from './twiml.js';
export { applyEarlyStatus, SidNotYetKnownError, type EarlyStatusJob } from './apply-early-status.js';
