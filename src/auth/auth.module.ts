import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AuthResolver } from './auth.resolver.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { OrganizationGuard } from './guards/organization.guard.js';
import { JwtStrategy } from './jwt.strategy.js';
import { LoginThrottle } from './login-throttle.js';
import { MembershipService } from './membership.service.js';
import { MembersResolver } from './members.resolver.js';
import { MembersService } from './members.service.js';
import { SubscriptionAccess } from './subscription-access.js';
import { OrganizationsResolver } from './organizations.resolver.js';
import { OrganizationsService } from './organizations.service.js';

/** Sign-up, tokens, organizations and the two global guards (token, then organization + role). */
@Module({
  imports: [PassportModule, JwtModule.register({})],
  providers: [
    AuthService,
    AuthResolver,
    JwtStrategy,
    LoginThrottle,
    MembershipService,
    MembersService,
    MembersResolver,
    SubscriptionAccess,
    OrganizationsService,
    OrganizationsResolver,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: OrganizationGuard },
  ],
  exports: [AuthService, MembershipService, SubscriptionAccess],
})
export class AuthModule {}
