import { TemplateError, type TemplateErrorKind } from '../../common/templates/liquid-templates.js';
import type { OutgoingMessage } from '../../providers/mail-provider.port.js';
import type { RenderInput } from './render-message.js';

/** What a render thread is started with: what it needs to sign the links it puts in messages. */
export interface ThreadInit {
  publicUrl: string;
  secret: string;
}

/** A question a render thread asks the main thread (which holds the database). */
export type Ask =
  { what: 'content'; contentId: string } | { what: 'links'; contentId: string; urls: string[] };

export interface WireError {
  name: string;
  message: string;
  kind?: TemplateErrorKind;
  detail?: TemplateError['detail'];
}

export interface RenderRequest {
  id: number;
  m: RenderInput;
  mailbox: { email: string };
}

export type ToThread =
  { t: 'render'; renders: RenderRequest[] } | { t: 'answer'; id: number; value?: unknown; error?: string };

/** One render's answer: the message, or why it could not be rendered. */
export type Rendered =
  { id: number; out: Omit<OutgoingMessage, 'raw'> & { raw: Uint8Array } } | { id: number; error: WireError };

export type FromThread = { t: 'rendered'; answers: Rendered[] } | { t: 'ask'; id: number; q: Ask };

/** An error as it crosses the thread boundary (a template's refusal keeps its kind and detail). */
export function toWire(e: unknown): WireError {
  if (e instanceof TemplateError) return { name: e.name, message: e.message, kind: e.kind, detail: e.detail };
  return e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
}

export function fromWire(w: WireError): Error {
  if (w.kind) return new TemplateError(w.message, w.kind, w.detail);
  const e = new Error(w.message);
  e.name = w.name;
  return e;
}

/** Only the fields rendering reads cross the boundary (a claimed message carries more). */
export function renderInputOf(m: RenderInput): RenderInput {
  const { id, email, contentId, messageId, inReplyTo, references, threadProviderId, contact } = m;
  const { firstName, lastName, company, timezone, attributes } = contact;
  return {
    id,
    email,
    contentId,
    messageId,
    inReplyTo,
    references,
    threadProviderId,
    contact: { firstName, lastName, company, timezone, attributes },
  };
}
