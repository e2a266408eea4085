import { escapeHtml } from '../sandbox/inbox-page.js';

/** What the OAuth callback tells the person who just came back from the consent page. */
export interface OAuthOutcome {
  status: number;
  title: string;
  detail: string;
}

/** No script, no external resource, nothing from the request unescaped. */
export const OAUTH_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export function renderOAuthResultPage(o: OAuthOutcome): string {
  const ok = o.status < 400;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(o.title)} · campaign-engine</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2933}
h1{font-size:1.4rem;color:${ok ? '#196c2e' : '#a61b1b'}}p{margin:.75rem 0}</style></head>
<body><h1>${escapeHtml(o.title)}</h1><p>${escapeHtml(o.detail)}</p>
<p>You can close this page and return to campaign-engine.</p></body></html>`;
}
