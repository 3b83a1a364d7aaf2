// Where the gateway is in its life, as every transport reads it: from the
// start of shutdown new work is refused (and /readyz says draining).

export interface Lifecycle {
  /** True from the start of shutdown: load balancers should stop sending work. */
  draining: boolean;
}
