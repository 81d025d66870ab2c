/** A minimal protobuf encoder for the few ONNX ModelProto fields Cairn writes (no dependency, no python). */

export class Writer {
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

export const FLOAT = 1;

/** ValueInfoProto for a float tensor; a string dimension is symbolic (dim_param). */
export function valueInfo(w: Writer, field: number, name: string, dims: Array<number | string>): void {
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

/** TensorProto of float32 values (raw little-endian data) with the given name and shape. */
export function floatTensor(w: Writer, field: number, name: string, dims: number[], values: number[]): void {
  w.message(field, (t) => {
    for (const dim of dims) t.int(1, dim);
    t.int(2, FLOAT);
    t.string(8, name);
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    values.forEach((v, i) => {
      view.setFloat32(i * 4, v, true);
    });
    t.bytesField(9, data);
  });
}

/** NodeProto: one operator. */
export function node(w: Writer, op: string, name: string, inputs: string[], outputs: string[]): void {
  w.message(1, (n) => {
    for (const input of inputs) n.string(1, input);
    for (const output of outputs) n.string(2, output);
    n.string(3, name);
    n.string(4, op);
  });
}
