import { ArgsType, Field } from '@nestjs/graphql';
import { IsEnum, IsOptional } from 'class-validator';
import { PageArgs } from '../../common/pagination/page-args.js';
import { CampaignStatus } from '../../generated/prisma/enums.js';

@ArgsType()
export class CampaignsArgs extends PageArgs {
  @Field(() => CampaignStatus, { nullable: true, description: 'Only campaigns with this status.' })
  @IsOptional()
  @IsEnum(CampaignStatus)
  status?: CampaignStatus;
}
