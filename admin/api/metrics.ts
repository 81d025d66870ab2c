import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export interface HttpMetrics {
  registry: Registry;
  /** Starts timing one action call; call the returned function with its outcome. */
  actionTimer(action: string, face: string): (outcome: "ok" | "error") => void;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

export function createMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "cairn_" });
  const actionDuration = new Histogram({
    name: "cairn_action_duration_seconds",
    help: "Time to run an action, by action, face and outcome",
    labelNames: ["action", "face", "outcome"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const requests = new Counter({
    name: "cairn_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: "cairn_http_request_duration_seconds",
    help: "HTTP request latency",
    labelNames: ["method", "route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    actionTimer(action, face) {
      const end = actionDuration.startTimer({ action, face });
      return (outcome) => end({ outcome });
    },
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      requestDuration.observe({ method, route }, seconds);
    },
  };
}
