"""The deduplication and the hash split that keep held-out reviews out of training."""

from __future__ import annotations

from pathlib import Path

from hub_senta.corpus import read_reviews, review_key, split_digest, split_of_key, split_reviews


def test_duplicates_collapse_and_reviews_under_both_labels_are_dropped(tmp_path: Path) -> None:
    pos, neg = tmp_path / "pos.txt", tmp_path / "neg.txt"
    pos.write_text("很好用\n很好 用\n很好用\n一般般吧\n\n", encoding="utf-8")
    neg.write_text("很差\n一般般吧\nＡＢＣ 差\nabc差\n", encoding="utf-8")
    reviews = read_reviews(pos, neg)
    assert [(r.text, r.label) for r in reviews] == [
        ("很好用", "positive"),
        ("很差", "negative"),
        ("ＡＢＣ 差", "negative"),
    ]
    assert review_key("ＡＢＣ 差") == review_key("abc差") == "abc差"


def test_split_depends_on_the_text_only_and_is_roughly_80_10_10() -> None:
    keys = [f"评论{i}" for i in range(5000)]
    splits = [split_of_key(key) for key in keys]
    assert splits == [split_of_key(key) for key in reversed(keys)][::-1]
    assert 0.08 < splits.count("test") / 5000 < 0.12 and 0.08 < splits.count("dev") / 5000 < 0.12


def test_split_digest_ignores_order(tmp_path: Path) -> None:
    pos, neg = tmp_path / "pos.txt", tmp_path / "neg.txt"
    pos.write_text("\n".join(f"好{i}" for i in range(50)), encoding="utf-8")
    neg.write_text("\n".join(f"差{i}" for i in range(50)), encoding="utf-8")
    reviews = read_reviews(pos, neg)
    splits = split_reviews(reviews)
    assert sum(len(v) for v in splits.values()) == 100
    assert split_digest(splits["train"]) == split_digest(list(reversed(splits["train"])))
    assert split_digest(splits["train"]) != split_digest(splits["train"][1:])
