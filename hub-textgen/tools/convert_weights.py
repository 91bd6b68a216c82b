"""Convert textgenrnn 2.0.0's Keras HDF5 weights to the safetensors file hub-textgen ships.

    pip download --no-deps textgenrnn==2.0.0          # textgenrnn-2.0.0.tar.gz, MIT
    tar xzf textgenrnn-2.0.0.tar.gz
    python hub-textgen/tools/convert_weights.py textgenrnn-2.0.0/textgenrnn \
        hub-textgen/src/hub_textgen/data

Needs h5py, numpy, torch and safetensors (not TensorFlow).  Writes ``textgen_lstm.safetensors``
and copies ``textgenrnn_vocab.json`` unchanged.

The LSTMs were trained as CuDNNLSTM (bias of 8 x 128: input and recurrent biases apart).  Loading
such a file into a Keras ``LSTM`` - what textgenrnn does on a CPU - goes through Keras'
``_convert_rnn_weights``, which this script repeats exactly:

* input kernel (in, 4u): per gate ``k.T.reshape(k.shape, order="F")``;
* recurrent kernel (u, 4u): per gate ``k.T``;
* bias: the two halves summed.

The gate order stays Keras' (i, f, c, o), which is torch's (i, f, g, o); torch's kernels are the
Keras ones transposed.  torch's second LSTM bias (``bias_hh``) is set to zero: the summed bias is
the whole of it, as in Keras.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import numpy as np

GATES = 4


def keras_lstm_weights(
    kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (kernel, recurrent_kernel, bias) a Keras LSTM holds after loading these saved weights."""
    units = recurrent.shape[0]
    if bias.shape == (2 * GATES * units,):  # saved by a CuDNNLSTM
        kernel = np.hstack([k.T.reshape(k.shape, order="F") for k in np.hsplit(kernel, GATES)])
        recurrent = np.hstack([k.T for k in np.hsplit(recurrent, GATES)])
        bias = np.sum(np.split(bias, 2, axis=0), axis=0)
    elif bias.shape != (GATES * units,):
        raise ValueError(f"unexpected LSTM bias shape {bias.shape} for {units} units")
    return kernel, recurrent, bias


def convert(hdf5_path: Path) -> dict[str, np.ndarray]:
    """Our state dict (torch layout, float32) from the Keras weight file."""
    import h5py

    with h5py.File(hdf5_path, "r") as f:

        def weight(layer: str, name: str) -> np.ndarray:
            return np.asarray(f[layer][layer][f"{name}:0"], dtype=np.float32)

        state = {
            "encoder.embedding.weight": weight("embedding", "embeddings"),
            "encoder.attention.weight": weight("attention", "attention_W"),
            "output.weight": weight("output", "kernel").T,
            "output.bias": weight("output", "bias"),
        }
        for layer in ("rnn_1", "rnn_2"):
            kernel, recurrent, bias = keras_lstm_weights(
                weight(layer, "kernel"), weight(layer, "recurrent_kernel"), weight(layer, "bias")
            )
            state[f"encoder.{layer}.weight_ih_l0"] = kernel.T
            state[f"encoder.{layer}.weight_hh_l0"] = recurrent.T
            state[f"encoder.{layer}.bias_ih_l0"] = bias
            state[f"encoder.{layer}.bias_hh_l0"] = np.zeros_like(bias)
    return {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in state.items()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(source_dir: str, out_dir: str) -> None:
    import torch
    from safetensors.torch import save_file

    source, out = Path(source_dir), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    weights, vocab = source / "textgenrnn_weights.hdf5", source / "textgenrnn_vocab.json"
    state = {name: torch.from_numpy(value) for name, value in convert(weights).items()}
    metadata = {
        "source": "textgenrnn 2.0.0 (PyPI), textgenrnn/textgenrnn_weights.hdf5",
        "source_sha256": sha256(weights),
        "license": "MIT (Max Woolf)",
        "converter": "hub-textgen/tools/convert_weights.py",
    }
    target = out / "textgen_lstm.safetensors"
    temporary = target.with_suffix(".tmp")
    save_file(state, str(temporary), metadata=metadata)
    temporary.replace(target)
    shutil.copyfile(vocab, out / "textgenrnn_vocab.json")
    print(f"{weights}: sha256 {metadata['source_sha256']}")
    print(f"{vocab}: sha256 {sha256(vocab)}")
    print(f"wrote {target} (sha256 {sha256(target)}) and {out / 'textgenrnn_vocab.json'}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
