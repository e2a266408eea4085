import { ObjectType } from '@nestjs/graphql';
import { Paginated } from '../../common/pagination/connection.js';
import { CampaignModel } from './campaign.model.js';

@ObjectType('CampaignConnection', { description: 'A page of campaigns, newest first.' })
export class CampaignConnection extends Paginated(CampaignModel, 'Campaign') {}
