import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Role } from '../../generated/prisma/enums.js';

@ObjectType('Member', { description: 'A person who belongs to the active organization, with their role.' })
export class MemberModel {
  @Field(() => ID, { description: 'Their user id.' })
  userId: string;

  @Field({ description: 'Their sign-in address.' })
  email: string;

  @Field(() => String, { nullable: true, description: 'Their display name.' })
  name: string | null;

  @Field(() => Role, { description: 'Their role in the organization.' })
  role: Role;

  @Field({ description: 'When they joined the organization.' })
  joinedAt: Date;
}
