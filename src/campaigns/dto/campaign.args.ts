import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsString } from 'class-validator';
import { IsDateTime } from '../../common/validation/is-date-time.js';
import { PageArgs } from '../../common/pagination/page-args.js';
import { CampaignStatus } from '../../generated/prisma/enums.js';

@ArgsType()
export class CampaignsArgs extends PageArgs {
  @Field(() => CampaignStatus, { nullable: true, description: 'Only campaigns with this status.' })
  @IsOptional()
  @IsEnum(CampaignStatus)
  status?: CampaignStatus;
}

@ArgsType()
export class ScheduleCampaignArgs {
  @Field(() => ID, { description: 'Campaign id.' })
  @IsString()
  id: string;

  @Field({ description: 'When to start: an ISO 8601 date-time in the future.' })
  @IsDateTime()
  scheduledAt: Date;
}
