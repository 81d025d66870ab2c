/**
 * The slot scorer as an ONNX graph, written in plain TS (a minimal protobuf encoder for the few ModelProto
 * fields needed, no dependency): scores[N,1] = MatMul(features[N,d], theta[d,1]). θ is an input, because
 * serving draws a fresh Thompson sample per planning run. Used by the bench to compare onnxruntime-node with
 * the plain-TS dot product; the engine serves through plain TS (measured faster at this size).
 */

import { valueInfo, Writer } from "./protobuf.ts";

/** Serialized ModelProto (IR 8, opset 17) of the linear slot scorer for `d` features. */
export function linearScorerModel(d: number): Uint8Array {
  const model = new Writer();
  model.int(1, 8); // ir_version
  model.string(2, "cairn"); // producer_name
  model.string(3, "1"); // producer_version
  model.message(7, (graph) => {
    graph.message(1, (node) => {
      node.string(1, "features");
      node.string(1, "theta");
      node.string(2, "scores");
      node.string(3, "score");
      node.string(4, "MatMul");
    });
    graph.string(2, "slot_preference_scorer");
    valueInfo(graph, 11, "features", ["N", d]);
    valueInfo(graph, 11, "theta", [d, 1]);
    valueInfo(graph, 12, "scores", ["N", 1]);
  });
  model.message(8, (opset) => {
    opset.string(1, "");
    opset.int(2, 17);
  });
  return Uint8Array.from(model.bytes);
}
