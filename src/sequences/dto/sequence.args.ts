import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsUUID } from 'class-validator';
import { PageArgs } from '../../common/pagination/page-args.js';
import { EnrollmentStatus, SequenceStatus } from '../models/sequence-enums.js';

@ArgsType()
export class SequencesArgs extends PageArgs {
  @Field(() => SequenceStatus, { nullable: true, description: 'Only sequences with this status.' })
  @IsOptional()
  @IsEnum(SequenceStatus)
  status?: SequenceStatus;
}

@ArgsType()
export class EnrollmentsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only the enrollments of this sequence.' })
  @IsOptional()
  @IsUUID('all', { message: 'sequenceId must be a sequence id' })
  sequenceId?: string;

  @Field(() => ID, { nullable: true, description: 'Only the enrollments of this contact.' })
  @IsOptional()
  @IsUUID('all', { message: 'contactId must be a contact id' })
  contactId?: string;

  @Field(() => EnrollmentStatus, { nullable: true, description: 'Only enrollments with this status.' })
  @IsOptional()
  @IsEnum(EnrollmentStatus)
  status?: EnrollmentStatus;
}
