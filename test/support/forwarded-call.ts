/** An actions API call as a client behind a trusted proxy makes it: the address it comes from in X-Forwarded-For. */
export function listTasksFrom(baseUrl: string, token: string, from: string): Promise<Response> {
  return fetch(`${baseUrl}/api/actions/list_tasks`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "x-forwarded-for": from,
    },
    body: "{}",
  });
}
