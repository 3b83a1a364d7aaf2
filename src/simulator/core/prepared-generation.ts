// A generation ready to run, whatever the protocol: validated by its protocol's rules, its
// tokens planned. The token clock paces it; each protocol only words its answer.

import { planGeneration, type GenerationPlan, type ValidatedRequest } from './planner.ts';

export interface PreparedGeneration {
  validated: ValidatedRequest;
  plan: GenerationPlan;
  /** performance.now() once validated: TGI reports the validation and inference times apart. */
  validatedAt: number;
}

/** Plans the tokens of a request that passed its protocol's checks. */
export function planned(validated: ValidatedRequest): PreparedGeneration {
  return { validated, plan: planGeneration(validated), validatedAt: performance.now() };
}
