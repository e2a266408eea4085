import { classifyHit, type Hit } from './classify-hit.js';

const sentAt = new Date('2026-11-23T10:00:00Z');
const later = new Date('2026-11-23T10:05:00Z');
const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';
const hit = (over: Partial<Hit>): Hit => ({
  method: 'GET',
  userAgent: firefox,
  headers: {},
  sentAt,
  at: later,
  kind: 'open',
  ...over,
});

describe('classifyHit', () => {
  it('counts a browser a few minutes after delivery as a person', () => {
    expect(classifyHit(hit({}))).toEqual({ machine: false, reason: 'person' });
    expect(classifyHit(hit({ kind: 'click' })).machine).toBe(false);
  });

  it.each([
    ['Apple Mail Privacy Protection', hit({ userAgent: 'Mozilla/5.0' })],
    [
      'Gmail image proxy',
      hit({
        userAgent:
          'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
      }),
    ],
    ['HEAD request', hit({ method: 'HEAD' })],
    ['prefetch request', hit({ headers: { 'sec-purpose': 'prefetch' } })],
    [
      'known bot or scanner user agent',
      hit({ userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }),
    ],
    ['followed the invisible honeypot link', hit({ kind: 'click', honeypot: true })],
  ])('counts %s as a machine', (reason, h) => {
    expect(classifyHit(h)).toEqual({ machine: true, reason });
  });

  it('takes a click seconds after delivery for a link scanner, and the same click later for a person', () => {
    const early = hit({ kind: 'click', at: new Date(sentAt.getTime() + 3000) });
    expect(classifyHit(early)).toMatchObject({
      machine: true,
      reason: expect.stringMatching(/link scanner/),
    });
    expect(classifyHit({ ...early, kind: 'open' }).machine).toBe(false);
  });
});
