import { Module } from '@nestjs/common';
import { RecipientsModule } from '../recipients/recipients.module.js';
import { TrackingController } from './tracking.controller.js';
import { TrackingService } from './tracking.service.js';

/** The links inside messages, over HTTP: open pixel, click redirect, RFC 8058 unsubscribe. */
@Module({
  imports: [RecipientsModule],
  controllers: [TrackingController],
  providers: [TrackingService],
})
export class TrackingModule {}
