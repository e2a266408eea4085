/** Server-rendered HTML of the sandbox inbox. Everything from a message is escaped. */

export interface InboxListPage {
  page: number;
  to?: string;
  hasNext: boolean;
  messages: { id: string; from: string; to: string; subject: string; createdAt: Date }[];
}

export interface InboxMessageView {
  id: string;
  from: string;
  to: string;
  subject: string;
  messageId: string;
  threadId: string | null;
  createdAt: Date;
  /** Header lines as received (folded lines kept). */
  headers: string[];
  html?: string;
  text?: string;
  attachments: { filename: string; contentType: string; size: number }[];
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Page CSP: no scripts anywhere; a message's own styles and images are allowed in its frame; forms
 * (the Reply and Bounce buttons) only post back to this server.
 */
export const INBOX_CSP =
  "default-src 'none'; style-src 'unsafe-inline' *; img-src * data:; font-src * data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:12px 24px}header a{color:#fff}
main{max-width:1100px;margin:16px auto;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:16px 24px}
table{width:100%;border-collapse:collapse}td,th{padding:6px 8px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{font-weight:600;color:#57606a}a{color:#0969da;text-decoration:none}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:12px;border-radius:6px}
iframe{width:100%;height:70vh;border:1px solid #d0d7de;border-radius:6px;background:#fff}
.muted{color:#57606a}.nav{display:flex;gap:16px;margin-top:12px}
.answer{display:flex;gap:24px;flex-wrap:wrap}.answer form{border:1px solid #d0d7de;border-radius:6px;padding:12px;flex:1;min-width:280px}
textarea{width:100%;min-height:5em;font:inherit}button{font:inherit;padding:4px 12px;margin-top:8px}
.notice{background:#dafbe1;border:1px solid #4ac26b;border-radius:6px;padding:8px 12px}`;

function layout(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · sandbox inbox</title><style>${STYLE}</style></head>
<body><header><strong>campaign-engine</strong> · sandbox inbox — messages kept by SANDBOX mailboxes, never delivered</header>
<main>${body}</main></body></html>`;
}

/** `auth` is the `org=…&key=…` query string that opens this organization's inbox. */
export function renderInboxList(view: InboxListPage, auth: string): string {
  const link = (page: number) =>
    `?${auth}&page=${page}${view.to ? `&to=${encodeURIComponent(view.to)}` : ''}`;
  const rows = view.messages
    .map(
      (m) => `<tr><td>${escapeHtml(m.to)}</td><td>${escapeHtml(m.from)}</td>
<td><a href="${escapeHtml(`/sandbox/inbox/${encodeURIComponent(m.id)}?${auth}`)}">${escapeHtml(m.subject || '(no subject)')}</a></td>
<td class="muted"><time datetime="${m.createdAt.toISOString()}">${escapeHtml(m.createdAt.toISOString())}</time></td></tr>`,
    )
    .join('\n');
  const nav = [
    view.page > 1 ? `<a href="${escapeHtml(link(view.page - 1))}">← Newer</a>` : '',
    view.hasNext ? `<a href="${escapeHtml(link(view.page + 1))}">Older →</a>` : '',
  ].join('');
  const filter = view.to ? ` to ${escapeHtml(view.to)} (<a href="${escapeHtml(`?${auth}`)}">all</a>)` : '';
  return layout(
    'Inbox',
    `<h1>Sent messages${filter}</h1>
${
  view.messages.length
    ? `<table><thead><tr><th>To</th><th>From</th><th>Subject</th><th>Sent (UTC)</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p class="muted">No messages yet.</p>'
}
<div class="nav"><span class="muted">Page ${view.page}</span>${nav}</div>`,
  );
}

/** What the Reply / Bounce buttons recorded, as the page says it after the redirect. */
const RECORDED: Record<string, string> = {
  REPLY: 'A reply from the recipient was recorded: the recipient now counts as replied.',
  AUTO_REPLY: 'An automatic reply (out of office) was recorded.',
  BOUNCE_HARD: 'A hard bounce was recorded: the recipient is BOUNCED and the address is suppressed.',
  BOUNCE_SOFT: 'A soft bounce (temporary failure) was recorded.',
};

/** The forms that make the recipient answer (handled by delivery's sandbox answer controller). */
function answerForms(m: InboxMessageView, auth: string) {
  const action = (what: string) => escapeHtml(`/sandbox/inbox/${encodeURIComponent(m.id)}/${what}?${auth}`);
  return `<h2>Simulate an answer</h2>
<p class="muted">Goes through the same inbound pipeline as replies and bounces fetched from Gmail or Microsoft 365.</p>
<div class="answer">
<form method="post" action="${action('reply')}">
<label for="reply-body">Reply from ${escapeHtml(m.to)}</label>
<textarea id="reply-body" name="body" maxlength="10000" placeholder="Thanks, this is a simulated reply."></textarea>
<label><input type="checkbox" name="automatic" value="on"> Automatic reply (out of office)</label><br>
<button type="submit">Reply</button>
</form>
<form method="post" action="${action('bounce')}">
<label for="bounce-hard">Bounce</label><br>
<select id="bounce-hard" name="hard"><option value="true">Hard: the address does not exist (5.1.1)</option>
<option value="false">Soft: the mailbox is full (4.2.2)</option></select><br>
<button type="submit">Bounce</button>
</form>
</div>`;
}

export function renderInboxMessage(m: InboxMessageView, auth: string, recorded?: string): string {
  // The message's HTML runs in an opaque-origin frame with no scripts, forms or top navigation;
  // links open in a new tab.
  const frame =
    m.html !== undefined
      ? `<iframe title="HTML part" sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer"
 srcdoc="${escapeHtml(`<base target="_blank">${m.html}`)}"></iframe>`
      : '<p class="muted">No HTML part.</p>';
  const attachments = m.attachments.length
    ? `<ul>${m.attachments
        .map(
          (a) =>
            `<li>${escapeHtml(a.filename)} <span class="muted">(${escapeHtml(a.contentType)}, ${a.size} bytes)</span></li>`,
        )
        .join('')}</ul>`
    : '<p class="muted">None.</p>';
  return layout(
    m.subject || '(no subject)',
    `<p><a href="${escapeHtml(`/sandbox/inbox?${auth}`)}">← Inbox</a></p>
${recorded && RECORDED[recorded] ? `<p class="notice" role="status">${escapeHtml(RECORDED[recorded])}</p>` : ''}
<h1>${escapeHtml(m.subject || '(no subject)')}</h1>
<table>
<tr><th>From (envelope)</th><td>${escapeHtml(m.from)}</td></tr>
<tr><th>To (envelope)</th><td>${escapeHtml(m.to)}</td></tr>
<tr><th>Message-ID</th><td>${escapeHtml(m.messageId)}</td></tr>
<tr><th>Thread</th><td>${escapeHtml(m.threadId ?? '')}</td></tr>
<tr><th>Stored at (UTC)</th><td>${escapeHtml(m.createdAt.toISOString())}</td></tr>
</table>
<h2>HTML</h2>${frame}
<h2>Text</h2>${m.text ? `<pre>${escapeHtml(m.text)}</pre>` : '<p class="muted">No text part.</p>'}
<h2>Attachments</h2>${attachments}
<details><summary>Headers</summary><pre>${escapeHtml(m.headers.join('\n'))}</pre></details>
<p><a href="${escapeHtml(`/sandbox/inbox/${encodeURIComponent(m.id)}/raw?${auth}`)}">Raw message</a></p>
${answerForms(m, auth)}`,
  );
}
