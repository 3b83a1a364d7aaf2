// The simulated chat template. A real server renders messages with the model's Jinja
// template; the tiny model's is fixed and simple, so the prompt (and thus the tokens drawn
// and usage.prompt_tokens) is a pure function of the messages: `<|role|>\ncontent\n` per
// message, then the generation prompt `<|assistant|>\n`. A test can send that rendered text
// to /generate or /v1/completions and get the same tokens.

export interface ChatMessage {
  role: string;
  content: string;
}

export function renderChat(messages: readonly ChatMessage[]): string {
  return `${messages.map((message) => `<|${message.role}|>\n${message.content}\n`).join('')}<|assistant|>\n`;
}
