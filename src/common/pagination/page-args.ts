import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `first` / `after` of a forward cursor connection; extend it with a context's filters. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_PAGE_SIZE,
    description: `How many items to return (at most ${MAX_PAGE_SIZE}; larger values are capped).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'first must be at least 1' })
  first: number = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true, description: 'Return the items after this cursor (`endCursor`).' })
  @IsOptional()
  @IsString()
  after?: string;
}

/** The page size actually served. */
export const pageSize = (first: number | null | undefined) =>
  Math.min(Math.max(first ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);

/**
 * Query cost of a connection field: its selection once per 10 items asked for, so a full page of
 * 200 rich nodes stays within the default budget while a nested page-of-pages does not.
 */
export const connectionComplexity = ({
  args,
  childComplexity,
}: {
  args: Record<string, unknown>;
  childComplexity: number;
}) => 1 + childComplexity * Math.ceil(pageSize(args.first as number | null | undefined) / 10);
