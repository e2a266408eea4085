import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('User', { description: 'A person who signs in.' })
export class UserModel {
  @Field(() => ID, { description: 'User id (the `sub` claim of the token).' })
  id: string;

  @Field({ description: 'Sign-in address, lower-cased.' })
  email: string;

  @Field(() => String, { nullable: true, description: 'Display name.' })
  name: string | null;

  @Field({ description: 'When the account was created.' })
  createdAt: Date;
}

@ObjectType('AuthPayload', { description: 'A bearer token and who it belongs to.' })
export class AuthPayload {
  @Field({ description: 'JWT to send as `Authorization: Bearer <token>`.' })
  accessToken: string;

  @Field(() => Int, { description: 'Seconds until the token expires.' })
  expiresIn: number;

  @Field(() => UserModel, { description: 'The signed-in user.' })
  user: UserModel;
}
