import { Module } from '@nestjs/common';

/** Sender accounts (mailboxes) and the MailProvider adapters behind one port. */
@Module({ providers: [], exports: [] })
export class ProvidersModule {}
