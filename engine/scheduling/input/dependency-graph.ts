interface DependentItem {
  id: string;
  dependsOn: readonly string[];
}

/** Returns one dependency cycle as ids (first id repeated at the end), or null when the graph is acyclic. */
export function findDependencyCycle(items: readonly DependentItem[]): string[] | null {
  const deps = new Map(items.map((item) => [item.id, item.dependsOn]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];

  const visit = (id: string): string[] | null => {
    const seen = state.get(id);
    if (seen === "done") return null;
    if (seen === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, "done");
    return null;
  };

  for (const item of items) {
    const cycle = visit(item.id);
    if (cycle) return cycle;
  }
  return null;
}
