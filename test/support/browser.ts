/**
 * Drives the fakes' consent pages the way a browser would: load the page, fill in the form,
 * submit it, and hand back where the provider redirects (our callback with code and state).
 */
const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export async function consent(
  consentUrl: string,
  login: string,
  decision: 'allow' | 'deny' = 'allow',
): Promise<string> {
  const page = await fetch(consentUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${html}`);
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on the consent page: ${html}`);
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.set(unescape(m[1]), unescape(m[2]));
  }
  if (!html.includes(`<option value="${login}">`))
    throw new Error(`${login} is not offered on the consent page`);
  fields.set('login', login);
  fields.set('decision', decision);
  const res = await fetch(new URL(unescape(action), consentUrl), {
    method: 'POST',
    body: fields,
    redirect: 'manual',
  });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`consent answered ${res.status} without a redirect`);
  return location;
}

/** Follows a redirect to our server and reads the page it shows. */
export async function open(url: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, html: await res.text(), headers: res.headers };
}
