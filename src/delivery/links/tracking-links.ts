import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { LinkSigner } from './link-signer.js';

/** The process's LinkSigner, over the configured public URL and secret. */
@Injectable()
export class TrackingLinks extends LinkSigner {
  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    super(config);
  }
}
