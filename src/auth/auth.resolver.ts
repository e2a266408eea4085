import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AuthService } from './auth.service.js';
import type { AuthUser } from './auth.types.js';
import { ClientAddress, CurrentUser, Public, UserScoped } from './decorators.js';
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
  @Mutation(() => AuthPayload, {
    description:
      'Exchange email and password for a token. Repeated failures for an address or from a client are refused for a while (RATE_LIMITED, extensions.retryAfterSeconds).',
  })
  login(@Args('input') input: LoginInput, @ClientAddress() clientAddress: string | undefined) {
    return this.auth.login(input, clientAddress);
  }

  @UserScoped()
  @Query(() => UserModel, { description: 'The signed-in user.' })
  me(@CurrentUser() user: AuthUser) {
    return this.auth.me(user.id);
  }
}
