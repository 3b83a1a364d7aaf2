// What the simulated TGI says about itself: its version (in /info and the Messages API's
// system_fingerprint) and its compute type (the x-compute-type header of generations).

export const TGI_VERSION = '3.3.6-dev0';

/** TGI reports the COMPUTE_TYPE env of its container; this is its default. */
export const COMPUTE_TYPE = 'gpu+optimized';
