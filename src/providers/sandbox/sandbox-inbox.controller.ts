import {
  Controller,
  ForbiddenException,
  Get,
  Header,
  Injectable,
  NotFoundException,
  Param,
  Query,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import { Public } from '../../auth/decorators.js';
import { INBOX_CSP, renderInboxList, renderInboxMessage } from './inbox-page.js';
import { SandboxInboxService } from './sandbox-inbox.service.js';

/** Lets a request through only with `?org=<id>&key=<that organization's inbox key>`. */
@Injectable()
export class SandboxInboxGuard implements CanActivate {
  constructor(private readonly inbox: SandboxInboxService) {}

  canActivate(ctx: ExecutionContext): boolean {
    const { org, key } = ctx.switchToHttp().getRequest<Request>().query;
    if (typeof org !== 'string' || typeof key !== 'string' || !this.inbox.isValidKey(org, key)) {
      throw new ForbiddenException('Open the sandbox inbox with the link the engine printed (org and key)');
    }
    return true;
  }
}

const auth = (org: string, key: string) => new URLSearchParams({ org, key }).toString();

/** GET /sandbox/inbox: the messages SANDBOX mailboxes "sent", per organization. */
@Public()
@UseGuards(SandboxInboxGuard)
@Controller('sandbox/inbox')
export class SandboxInboxController {
  constructor(private readonly inbox: SandboxInboxService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', INBOX_CSP)
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async list(
    @Query('org') org: string,
    @Query('key') key: string,
    @Query('page') page?: string,
    @Query('to') to?: string,
  ) {
    return renderInboxList(await this.inbox.list(org, Number(page ?? 1), to), auth(org, key));
  }

  @Get(':id')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', INBOX_CSP)
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async message(
    @Query('org') org: string,
    @Query('key') key: string,
    @Param('id') id: string,
    @Query('recorded') recorded?: string,
  ) {
    const message = await this.inbox.message(org, id);
    if (!message) throw new NotFoundException('No such message in this inbox');
    return renderInboxMessage(message, auth(org, key), recorded);
  }

  @Get(':id/raw')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Content-Security-Policy', "default-src 'none'")
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-store')
  async raw(@Query('org') org: string, @Param('id') id: string) {
    const row = await this.inbox.raw(org, id);
    if (!row) throw new NotFoundException('No such message in this inbox');
    return row.raw;
  }
}
