import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

@InputType({ description: 'Contacts to enroll: by id, by list, or both.' })
export class EnrollContactsInput {
  @Field(() => ID, { description: 'The sequence (ACTIVE or PAUSED).' })
  @IsUUID('all', { message: 'sequenceId must be a sequence id' })
  sequenceId: string;

  @Field(() => [ID], { nullable: true, description: 'Contacts to enroll (at most 5,000).' })
  @IsOptional()
  @ArrayMaxSize(5000)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'contactIds must be contact ids' })
  contactIds?: string[];

  @Field(() => [ID], { nullable: true, description: 'Lists whose contacts to enroll (at most 50).' })
  @IsOptional()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'listIds must be list ids' })
  listIds?: string[];

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Enroll again contacts whose previous enrollment in this sequence has ended (default false).',
  })
  @IsOptional()
  @IsBoolean()
  reenroll?: boolean;
}

@InputType({
  description: 'Where enrollments standing at one step of the old version continue in the new one.',
})
export class StepMappingInput {
  @Field({ description: 'Step key in the old version.' })
  @IsString()
  @MaxLength(40)
  fromStepKey: string;

  @Field({ description: 'Step key in the new version.' })
  @IsString()
  @MaxLength(40)
  toStepKey: string;
}

@InputType({
  description: 'Moves the live enrollments of one version to another with an explicit step mapping.',
})
export class MoveEnrollmentsInput {
  @Field(() => ID, { description: 'The sequence.' })
  @IsUUID('all', { message: 'sequenceId must be a sequence id' })
  sequenceId: string;

  @Field(() => Int, { description: 'The version the enrollments are on.' })
  @IsInt()
  @Min(1)
  fromVersion: number;

  @Field(() => Int, {
    nullable: true,
    description: 'The version to move them to (default: the current one).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  toVersion?: number;

  @Field(() => [StepMappingInput], {
    description: 'Every step where live enrollments stand must be mapped; nothing is moved implicitly.',
  })
  @ArrayMinSize(1, { message: 'stepMapping needs at least one entry' })
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => StepMappingInput)
  stepMapping: StepMappingInput[];
}
