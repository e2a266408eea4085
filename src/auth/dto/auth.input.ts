import { Field, InputType } from '@nestjs/graphql';
import { NormalizeEmail } from '../../common/validation/email.js';
import { IsAcceptablePassword } from '../password-policy.js';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { SingleLine } from '../../common/validation/single-line.js';

@InputType({ description: 'A new account.' })
export class SignUpInput {
  @Field({ description: 'Sign-in address.' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @Field({ description: 'At least 10 characters, not only spaces, not the email address.' })
  @IsString()
  @MinLength(10, { message: 'password must be at least 10 characters' })
  @MaxLength(200)
  @IsAcceptablePassword()
  password: string;

  @Field(() => String, { nullable: true, description: 'Display name.' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  @SingleLine()
  name?: string;
}

@InputType({ description: 'Credentials to sign in with.' })
export class LoginInput {
  @Field({ description: 'Sign-in address.' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'email must be a valid email address' })
  email: string;

  @Field({ description: 'Password.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}
