import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AuthService } from './auth.service.js';
import type { AuthUser } from './auth.types.js';
import { CurrentUser, Public, UserScoped } from './decorators.js';
import { LoginInput, SignUpInput } from './dto/auth.input.js';
import { AuthPayload, UserModel } from './models/user.model.js';

@Resolver(() => UserModel)
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Mutation(() => AuthPayload, { description: 'Create an account and receive a token.' })
  signUp(@Args('input') input: SignUpInput) {
    return this.auth.signUp(input);
  }

  @Public()
  @Mutation(() => AuthPayload, { description: 'Exchange email and password for a token.' })
  login(@Args('input') input: LoginInput) {
    return this.auth.login(input);
  }

  @UserScoped()
  @Query(() => UserModel, { description: 'The signed-in user.' })
  me(@CurrentUser() user: AuthUser) {
    return this.auth.me(user.id);
  }
}
