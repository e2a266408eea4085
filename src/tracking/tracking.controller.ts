import { Body, Controller, Get, Head, Header, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/decorators.js';
import { TrackingService } from './tracking.service.js';

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
  `<title>Unsubscribe</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}</style>` +
  `</head><body>${body}</body></html>`;

const hitOf = (req: Request) => ({
  method: req.method,
  userAgent: req.get('user-agent'),
  headers: req.headers,
});

/** Links inside messages: open pixel, click redirect, RFC 8058 one-click unsubscribe. No login; tokens are signed. */
@Controller()
export class TrackingController {
  constructor(private readonly tracking: TrackingService) {}

  @Public()
  @Get('t/o/:token.gif')
  @Head('t/o/:token.gif')
  async open(@Param('token') token: string, @Req() req: Request, @Res() res: Response) {
    await this.tracking.open(token, hitOf(req)).catch(() => undefined); // a pixel never fails
    res.writeHead(200, {
      'Content-Type': 'image/gif',
      'Cache-Control': 'no-store, max-age=0',
      'Content-Length': PIXEL.length,
    });
    res.end(PIXEL);
  }

  /** Redirects only to the link the engine stored for this message; a forged or tampered token is 404. */
  @Public()
  @Get('t/c/:token')
  @Head('t/c/:token')
  async click(@Param('token') token: string, @Req() req: Request, @Res() res: Response) {
    const target = await this.tracking.click(token, hitOf(req));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!target) return res.status(404).type('text/plain').send('This link is not valid.');
    if ('honeypot' in target) return res.status(200).type('text/plain').send('');
    return res.redirect(302, target.url);
  }

  @Public()
  @Get('u/:token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async confirm(@Param('token') token: string, @Res() res: Response) {
    const email = await this.tracking.describe(token);
    if (!email)
      return res.status(404).send(page('<h1>Link not valid</h1><p>This unsubscribe link is not valid.</p>'));
    return res.send(
      page(
        `<h1>Unsubscribe</h1><p>Stop emails to <strong>${escape(email)}</strong>?</p>` +
          `<form method="post"><button type="submit">Unsubscribe</button></form>`,
      ),
    );
  }

  /** Mail clients POST `List-Unsubscribe=One-Click` here (RFC 8058); the confirmation form posts here too. */
  @Public()
  @Post('u/:token')
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async unsubscribe(
    @Param('token') token: string,
    @Body() body: Record<string, unknown> | undefined,
    @Res() res: Response,
  ) {
    const oneClick = body?.['List-Unsubscribe'] === 'One-Click';
    const ok = await this.tracking.unsubscribe(token, oneClick ? 'one-click' : 'page');
    if (!ok) return res.status(404).send(page('<h1>Link not valid</h1>'));
    return res.send(page('<h1>You are unsubscribed</h1><p>You will not receive these emails any more.</p>'));
  }
}
