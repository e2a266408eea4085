import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Redirect,
  UseGuards,
} from '@nestjs/common';
import { Public } from '../../../auth/decorators.js';
import { DomainError, ErrorCode } from '../../../common/errors/domain-error.js';
import { SandboxInboxGuard } from '../../../providers/sandbox/sandbox-inbox.controller.js';
import { SandboxInboundService } from './sandbox-inbound.service.js';

interface AnswerForm {
  body?: string;
  automatic?: string;
  hard?: string;
}

/**
 * The sandbox inbox page's "Reply" and "Bounce" buttons (form POSTs, same `org` + `key` as the
 * page). They go through the same service as `simulateReply` / `simulateBounce`, then back to the
 * message with a note of what was recorded.
 */
@Public()
@UseGuards(SandboxInboxGuard)
@Controller('sandbox/inbox')
export class SandboxAnswerController {
  constructor(private readonly sandbox: SandboxInboundService) {}

  @Post(':id/reply')
  @HttpCode(303)
  @Redirect()
  async reply(
    @Query('org') org: string,
    @Query('key') key: string,
    @Param('id') id: string,
    @Body() form: AnswerForm = {},
  ) {
    const automatic = form.automatic === 'on' || form.automatic === 'true';
    const recorded = await this.answer(org, id, (messageId) =>
      this.sandbox.simulateReply(org, messageId, { body: form.body ?? null, automatic }),
    );
    return back(org, key, id, recorded.kind);
  }

  @Post(':id/bounce')
  @HttpCode(303)
  @Redirect()
  async bounce(
    @Query('org') org: string,
    @Query('key') key: string,
    @Param('id') id: string,
    @Body() form: AnswerForm = {},
  ) {
    const recorded = await this.answer(org, id, (messageId) =>
      this.sandbox.simulateBounce(org, messageId, { hard: form.hard !== 'false' }),
    );
    return back(org, key, id, recorded.kind);
  }

  private async answer<T>(org: string, sandboxMessageId: string, run: (messageId: string) => Promise<T>) {
    const messageId = await this.sandbox.outboundOfSandboxMessage(org, sandboxMessageId);
    if (!messageId) throw new NotFoundException('No such message in this inbox');
    try {
      return await run(messageId);
    } catch (e) {
      if (e instanceof DomainError && e.code === ErrorCode.NOT_FOUND) throw new NotFoundException(e.message);
      if (e instanceof DomainError && e.code === ErrorCode.BAD_USER_INPUT)
        throw new BadRequestException(e.message);
      throw e;
    }
  }
}

function back(org: string, key: string, id: string, recorded: string) {
  const query = new URLSearchParams({ org, key, recorded });
  return { url: `/sandbox/inbox/${encodeURIComponent(id)}?${query.toString()}`, statusCode: 303 };
}
