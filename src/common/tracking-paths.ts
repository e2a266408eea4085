/** URL paths of the links put in messages; the sandbox inbox recognises the open pixel by its path. */
export const TRACKING_PATHS = {
  openPixel: '/t/o/',
  click: '/t/c/',
  unsubscribe: '/u/',
} as const;
