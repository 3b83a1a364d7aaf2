// Token counts as both OpenAI-style protocols report them. completion_tokens includes a
// final EOS token, as TGI's generated_tokens and vLLM's counts do.

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}
