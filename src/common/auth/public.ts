import { SetMetadata } from '@nestjs/common';

/** Metadata key of routes and operations that need no token; read by the auth guard. */
export const IS_PUBLIC = 'auth:public';
/** No token needed (signUp, login, health, playground). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
