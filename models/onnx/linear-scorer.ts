/**
 * The slot scorer as an ONNX graph, written in plain TS (a minimal protobuf encoder for the few ModelProto
 * fields needed, no dependency): scores[N,1] = MatMul(features[N,d], theta[d,1]). θ is an input, because
 * serving draws a fresh Thompson sample per planning run. Used by the bench to compare onnxruntime-node with
 * the plain-TS dot product; the engine serves through plain TS (measured faster at this size).
 */

class Writer {
  readonly bytes: number[] = [];
  varint(value: number): this {
    let v = value;
    while (v > 127) {
      this.bytes.push((v & 127) | 128);
      v = Math.floor(v / 128);
    }
    this.bytes.push(v);
    return this;
  }
  tag(field: number, wire: 0 | 2 | 5): this {
    return this.varint(field * 8 + wire);
  }
  int(field: number, value: number): this {
    return this.tag(field, 0).varint(value);
  }
  bytesField(field: number, data: Uint8Array | number[]): this {
    this.tag(field, 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }
  string(field: number, text: string): this {
    return this.bytesField(field, new TextEncoder().encode(text));
  }
  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytesField(field, inner.bytes);
  }
}

const FLOAT = 1;

/** ValueInfoProto for a float tensor; a string dimension is symbolic (dim_param). */
function valueInfo(w: Writer, field: number, name: string, dims: Array<number | string>): void {
  w.message(field, (v) => {
    v.string(1, name);
    v.message(2, (type) =>
      type.message(1, (tensor) => {
        tensor.int(1, FLOAT);
        tensor.message(2, (shape) => {
          for (const dim of dims) {
            shape.message(1, (d) => (typeof dim === "number" ? d.int(1, dim) : d.string(2, dim)));
          }
        });
      }),
    );
  });
}

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
