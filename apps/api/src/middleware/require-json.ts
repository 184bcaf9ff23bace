import type { RequestHandler } from 'express';
import { HttpError } from '../errors/http-error.js';

/** The REST API speaks JSON only; a body of any other type is refused before it is read. */
export const requireJson: RequestHandler = (req, _res, next) => {
  // `Content-Length: 0` (fetch and curl send it on a bare POST) is no body, whatever the type says.
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (hasBody && !req.is(['application/json', 'application/*+json'])) {
    next(new HttpError(415, 'unsupported_media_type', 'Request bodies must be application/json'));
    return;
  }
  next();
};
