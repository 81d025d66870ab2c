import type { Task } from "../domain.ts";
import { LlmError, type LlmMessage, type LlmPort } from "../llm/port.ts";
import { ModelBreakdown, type SubtaskProposal } from "./schema.ts";

function prompt(task: Task): LlmMessage[] {
  const facts = [
    `Task: ${task.title}`,
    task.description ? `Notes: ${task.description}` : "",
    task.estimateMinutes ? `The whole task is estimated at ${task.estimateMinutes} minutes.` : "",
    task.tags.length > 0 ? `Tags: ${task.tags.join(", ")}` : "",
  ].filter(Boolean);
  return [
    {
      role: "system",
      content:
        'You break a work task into 2 to 8 concrete, ordered subtasks a person can each finish in one sitting. Answer only JSON: {"subtasks":[{"title":"...","estimateMinutes":30}]}, estimates in whole minutes.',
    },
    { role: "user", content: facts.join("\n") },
  ];
}

export type ModelOutcome = { subtasks: SubtaskProposal[] } | { failure: string };

/** Asks the model; an answer that does not fit the schema is asked once more, then given up. */
export async function proposeFromModel(llm: LlmPort, task: Task): Promise<ModelOutcome> {
  let lastFailure = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const answer = await llm.complete(prompt(task), { schema: ModelBreakdown });
      return { subtasks: answer.subtasks };
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      lastFailure = error.message;
      if (error.kind === "unavailable") break;
    }
  }
  return { failure: lastFailure };
}
