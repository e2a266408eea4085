import { ArgsType, Field, ID } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageArgs } from '../../common/pagination/page-args.js';

@ArgsType()
export class ContactsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only the contacts of this list.' })
  @IsOptional()
  @IsUUID('all', { message: 'listId must be a contact list id' })
  listId?: string;

  @Field(() => String, {
    nullable: true,
    description: 'Only contacts whose email, name or company contains this text (case-insensitive).',
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;
}
