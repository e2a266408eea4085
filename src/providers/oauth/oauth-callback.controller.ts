import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../../auth/decorators.js';
import { OAuthConnectService, type CallbackQuery } from './oauth-connect.service.js';
import type { OAuthProviderType } from './oauth-mail-provider.js';
import { OAUTH_PAGE_CSP, renderOAuthResultPage } from './oauth-result-page.js';

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Where Google and Microsoft send the browser back after consent. The state authenticates it. */
@Public()
@Controller('oauth')
export class OAuthCallbackController {
  constructor(private readonly connect: OAuthConnectService) {}

  @Get('google/callback')
  google(@Query() query: Record<string, unknown>, @Res() res: Response) {
    return this.handle('GMAIL', query, res);
  }

  @Get('microsoft/callback')
  microsoft(@Query() query: Record<string, unknown>, @Res() res: Response) {
    return this.handle('MICROSOFT', query, res);
  }

  private async handle(provider: OAuthProviderType, query: Record<string, unknown>, res: Response) {
    const q: CallbackQuery = {
      code: text(query.code),
      state: text(query.state),
      error: text(query.error),
      error_description: text(query.error_description),
    };
    const outcome = await this.connect.callback(provider, q);
    res
      .status(outcome.status)
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': OAUTH_PAGE_CSP,
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
      })
      .send(renderOAuthResultPage(outcome));
  }
}
