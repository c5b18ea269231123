/**
 * What a request from the app's own page says about where it comes from. The server refuses
 * state-changing requests from other sites (and from clients that say nothing), so test calls
 * made outside a page send this, as the browser would.
 */
export const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' } as const;
