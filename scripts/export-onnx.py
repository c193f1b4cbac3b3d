#!/usr/bin/env python3
"""The benchmark's peer: our VQ-VAE decoder as an ONNX graph, for onnxruntime-web.

    scripts/export-onnx.py bench/peer/fashion bench/peer/fashion-decoder.onnx

reads what `cargo run --release -p vq-model --example export_decoder` wrote (raw f32 tensors
in burn's layouts and `index.json`), builds the same computation as
`crates/vq-model/src/vqvae/decoder.rs` from the shipped weights,

    codes [1, h, w] (int64; h, w dynamic)
      → Gather on the codebook [K, D]           z_q  [1, h, w, D]
      → Transpose to NCHW                             [1, D, h, w]
      → Conv 3×3, pad 1                               [1, H, h, w]
      → 2 × (x + Conv1×1(ReLU(Conv3×3(ReLU(x)))))      (the residual blocks)
      → ReLU
      → ConvTranspose 4×4, stride 2, pad 1 → ReLU      [1, H/2, 2h, 2w]   (up1)
      → ConvTranspose 4×4, stride 2, pad 1             [1, C, 4h, 4w]   x̂, model space (up2)

At a `downsample` of 2 (the config's `vqvae.downsample`; null or absent is 4), up1 is the
decoder's stride-1 3×3 (`Upsampling::Same` in decoder.rs), written as it is:

      → ConvTranspose 3×3, stride 1, pad 1 → ReLU      [1, H/2, h, w]
      → ConvTranspose 4×4, stride 2, pad 1             [1, C, 2h, 2w]

(ONNX's ConvTranspose is the same transposed convolution as burn's: with stride 1, kernel 3
and pads 1 it keeps the size, the plain 3×3 convolution with the kernel flipped and in/out
swapped that `HostConv::read_transposed_same` reads it as.)

checks it with onnxruntime (Python, CPU) against our decoder's reference decode, and writes it.
The weight layouts need no change: burn's Conv2d weight is [out, in, kh, kw] and its
ConvTranspose2d weight [in, out, kh, kw], as ONNX's Conv and ConvTranspose.

Needs numpy, onnx and onnxruntime (scripts/bench.sh installs them in a venv under
$HOME/.cache/vq-lab/).
"""

import json
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

# Opset and IR version that onnxruntime-web 1.30 reads (newer onnx packages default higher).
OPSET = 17
IR_VERSION = 8

# Our decoder and ORT's sum the same products in different orders, in f32: the reference's
# values are O(1), so 1e-4 is a few hundred ulps, far below one grey level (1/255 ≈ 4e-3).
TOLERANCE = 1e-4


def load(folder):
    """The index and every tensor (name → float32 array in burn's layout)."""
    index = json.loads((folder / "index.json").read_text())
    tensors = {}
    for t in index["tensors"]:
        values = np.fromfile(folder / t["file"], dtype="<f4")
        tensors[t["name"]] = values.reshape(t["shape"])
    return index, tensors


def decoder_graph(index, tensors):
    """The decoder as an ONNX model (see the module's docstring)."""
    config = index["vqvae"]
    blocks = config["residual_blocks"]
    # Pixels per code along each side (`VqVaeConfig::downsample`): 4 unless the config says 2.
    downsample = config.get("downsample") or 4
    if downsample not in (2, 4):
        raise SystemExit(f"export-onnx: a downsample of {downsample}; the decoder knows 4 and 2")
    # up1: a stride-2 4×4 at ÷4, a stride-1 3×3 at ÷2 (decoder.rs, `Decoder::new`).
    up1_kernel, up1_stride = (4, 2) if downsample == 4 else (3, 1)
    up1_shape = tensors["decoder.up1.weight"].shape
    if tuple(up1_shape[2:]) != (up1_kernel, up1_kernel):
        raise SystemExit(f"export-onnx: decoder.up1.weight is {list(up1_shape)}, not a "
                         f"{up1_kernel}x{up1_kernel} kernel as a downsample of {downsample} has")
    initializers = []
    nodes = []

    def weight(name):
        initializers.append(numpy_helper.from_array(tensors[name].astype(np.float32), name))
        return name

    def conv(x, name, out, kernel, pads):
        nodes.append(helper.make_node(
            "Conv", [x, weight(f"{name}.weight"), weight(f"{name}.bias")], [out],
            kernel_shape=[kernel, kernel], pads=[pads] * 4, name=name))
        return out

    def conv_transpose(x, name, out, kernel=4, stride=2):
        nodes.append(helper.make_node(
            "ConvTranspose", [x, weight(f"{name}.weight"), weight(f"{name}.bias")], [out],
            kernel_shape=[kernel, kernel], strides=[stride, stride], pads=[1, 1, 1, 1], name=name))
        return out

    def relu(x, out):
        nodes.append(helper.make_node("Relu", [x], [out]))
        return out

    nodes.append(helper.make_node("Gather", [weight("quantizer.codebook.weight"), "codes"], ["z_q_nhwc"], axis=0))
    nodes.append(helper.make_node("Transpose", ["z_q_nhwc"], ["z_q"], perm=[0, 3, 1, 2]))  # [1, D, h, w]
    x = conv("z_q", "decoder.conv3", "hidden", 3, 1)  # [1, H, h, w]
    for b in range(blocks):
        name = f"decoder.residual.blocks.{b}"
        h = relu(x, f"{name}.relu_in")
        h = conv(h, f"{name}.conv3", f"{name}.conv3_out", 3, 1)  # [1, R, h, w]
        h = relu(h, f"{name}.relu_mid")
        h = conv(h, f"{name}.conv1", f"{name}.conv1_out", 1, 0)  # [1, H, h, w]
        nodes.append(helper.make_node("Add", [x, h], [f"{name}.out"]))
        x = f"{name}.out"
    x = relu(x, "residual_out")
    # [1, H/2, 2h, 2w] (÷4), [1, H/2, h, w] (÷2)
    x = relu(conv_transpose(x, "decoder.up1", "up1_out", up1_kernel, up1_stride), "up1_relu")
    conv_transpose(x, "decoder.up2", "x_hat")  # [1, C, 4h, 4w] (÷4), [1, C, 2h, 2w] (÷2)

    graph = helper.make_graph(
        nodes, f"{index['model']}-decoder",
        [helper.make_tensor_value_info("codes", TensorProto.INT64, [1, "h", "w"])],
        [helper.make_tensor_value_info("x_hat", TensorProto.FLOAT,
                                       [1, config["in_channels"], f"{downsample}h", f"{downsample}w"])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="vq-lab scripts/export-onnx.py")
    model.ir_version = IR_VERSION
    model.doc_string = (f"The decoder of VQ Lab's {index['model']} model (x_hat in model space, "
                        "pixel/255 - 0.5), from the shipped weights (sha256 of vqvae.bpk "
                        f"{index['sha256'].get('vqvae.bpk', '?')}).")
    onnx.checker.check_model(model)
    return model


def check(model, folder, index):
    """The largest difference from our decoder's reference decode (raises past TOLERANCE)."""
    ref = index["reference"]
    height, width = ref["grid"]
    codes = np.array(ref["codes"], dtype=np.int64).reshape(1, height, width)
    expected = np.fromfile(folder / ref["file"], dtype="<f4").reshape(ref["shape"])
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"codes": codes})
    if got.shape != expected.shape:
        raise SystemExit(f"export-onnx: ORT gives {got.shape}, our decoder {expected.shape}")
    worst = float(np.abs(got - expected).max())
    if worst > TOLERANCE:
        raise SystemExit(f"export-onnx: ORT differs from our decoder by {worst:.2e} (limit {TOLERANCE:.0e})")
    return worst


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: export-onnx.py <export_decoder's folder> <out.onnx>")
    folder, out = Path(sys.argv[1]), Path(sys.argv[2])
    index, tensors = load(folder)
    model = decoder_graph(index, tensors)
    worst = check(model, folder, index)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, out)
    height, width = index["reference"]["grid"]
    print(f"export-onnx: {out} ({out.stat().st_size / 1e6:.2f} MB); on the {height}x{width} reference "
          f"grid ORT {onnxruntime.__version__} matches our decoder to {worst:.1e}")


if __name__ == "__main__":
    main()
