/**
 * A logistic model as an ONNX graph with its weights inside:
 * probability[N,1] = Sigmoid(MatMul(features[N,d], W[d,1]) + b). Written in plain TS (IR 8, opset 17).
 */
import type { LogisticModel } from "../learn/logistic.ts";
import { floatTensor, node, valueInfo, Writer } from "./protobuf.ts";

export function logisticOnnxModel(model: LogisticModel, graphName: string): Uint8Array {
  const d = model.weights.length;
  const out = new Writer();
  out.int(1, 8);
  out.string(2, "cairn");
  out.string(3, "1");
  out.message(7, (graph) => {
    node(graph, "MatMul", "linear", ["features", "weights"], ["logit_raw"]);
    node(graph, "Add", "bias", ["logit_raw", "intercept"], ["logit"]);
    node(graph, "Sigmoid", "probability", ["logit"], ["probability"]);
    graph.string(2, graphName);
    floatTensor(graph, 5, "weights", [d, 1], model.weights);
    floatTensor(graph, 5, "intercept", [1], [model.intercept]);
    valueInfo(graph, 11, "features", ["N", d]);
    valueInfo(graph, 12, "probability", ["N", 1]);
  });
  out.message(8, (opset) => {
    opset.string(1, "");
    opset.int(2, 17);
  });
  return Uint8Array.from(out.bytes);
}
