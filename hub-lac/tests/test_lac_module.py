"""The module's Python interface, bad input, and the user dictionary."""

from __future__ import annotations

from pathlib import Path

import pytest
from hub_lac._userdict import UserDictError
from hub_lac.module import LAC

import hubcore


def test_lac_module_is_built_through_the_hub() -> None:
    module = hubcore.Module(name="lac", mode="seg")
    assert isinstance(module, LAC)
    assert module.mode == "seg"
    assert hubcore.get_module_spec("lac").entry == "hub_lac.module:LAC"


def test_lac_cut_forms(lac_modules: dict) -> None:
    lac = lac_modules["lac"]
    text = "百度是一家高科技公司"
    words = lac.cut(text)
    assert "".join(words) == text and words[0] == "百度"
    [item] = lac.cut([text])
    assert item["word"] == words and len(item["tag"]) == len(words) and item["tag"][0] == "ORG"
    assert lac.cut([text], return_tag=False) == [{"word": words}]
    assert lac.lexical_analysis(texts=[text]) == [item]
    assert lac.lexical_analysis(data={"text": [text]}) == [item]
    ranked = lac_modules["rank"].cut([text])[0]
    assert ranked["word"] == words and len(ranked["rank"]) == len(words)
    assert all(rank in (0, 1, 2, 3) for rank in ranked["rank"])
    assert lac_modules["rank"].cut([text], return_tag=False)[0].keys() == {"word", "rank"}
    assert lac_modules["seg"].cut([text])[0].keys() == {"word"}


def test_lac_tags(lac_modules: dict) -> None:
    tags = lac_modules["lac"].get_tags()
    assert {"n", "v", "PER", "LOC", "ORG", "TIME", "w"} <= tags.keys()
    assert lac_modules["seg"].get_tags() == {}


@pytest.mark.parametrize("mode", ["lac", "seg", "rank"])
@pytest.mark.parametrize(
    "text",
    [
        "我爱北京天安门😀！",  # emoji
        "Python is great 123",  # Latin and digits
        "ＡＢＣ１２３，全角字符。",  # full-width
        "2019年iPhone在中国卖了1000万台",  # mixed scripts
        "控制\t字符\x00和\x07响铃\r\n换行",  # control characters
        "  前后有空格  ",
    ],
)
def test_lac_odd_characters_lose_nothing(lac_modules: dict, mode: str, text: str) -> None:
    [item] = lac_modules[mode].cut([text])
    assert "".join(item["word"]) == text
    assert all(item["word"])
    if mode != "seg":
        assert len(item["tag"]) == len(item["word"])


@pytest.mark.parametrize("mode", ["lac", "seg", "rank"])
def test_lac_blank_texts_give_empty_results(lac_modules: dict, mode: str) -> None:
    lac = lac_modules[mode]
    assert lac.cut("") == [] and lac.cut(" \t\n ") == []
    results = lac.cut(["", "   ", "好"])
    assert results[0]["word"] == [] and results[1]["word"] == [] and results[2]["word"] == ["好"]
    assert lac.cut([]) == []


def test_lac_long_text_loses_nothing(lac_modules: dict, golden: list[dict]) -> None:
    text = "".join(row["text"] for row in golden)
    while len(text) < 100_000:
        text += text
    text = text[:100_000]
    words = lac_modules["lac"].cut(text)
    assert "".join(words) == text


def test_lac_type_errors_name_the_index(lac_modules: dict) -> None:
    lac = lac_modules["lac"]
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str, not NoneType"):
        lac.lexical_analysis(texts=["好", None])
    with pytest.raises(TypeError, match=r"text\[2\] must be a str, not int"):
        lac.cut(["a", "b", 3])
    with pytest.raises(TypeError, match="text must be a str or a list of str, not NoneType"):
        lac.cut(None)
    with pytest.raises(ValueError, match="batch_size"):
        lac.cut(["好"], batch_size=0)
    with pytest.raises(ValueError, match="mode must be one of"):
        LAC(mode="pos")


def test_lac_user_dict_forces_words_and_tags(tmp_path: Path) -> None:
    lac = LAC(mode="lac")
    text = "春天的花开秋天的风以及冬天的落阳"
    before = lac.cut([text])[0]
    path = tmp_path / "user.dict"
    path.write_text("春天/SEASON\n花/n 开/v\n秋天的风\n落 阳\n", encoding="utf-8")
    lac.set_user_dict(path)
    after = lac.cut([text])[0]
    pairs = list(zip(after["word"], after["tag"], strict=True))
    assert ("春天", "SEASON") in pairs
    assert ("花", "n") in pairs and ("开", "v") in pairs
    assert "秋天的风" in after["word"]
    assert "落" in after["word"] and "阳" in after["word"]
    assert "".join(after["word"]) == text
    lac.del_user_dict()
    assert lac.cut([text])[0] == before


def test_lac_user_dict_in_seg_and_rank_modes(tmp_path: Path) -> None:
    path = tmp_path / "user.dict"
    path.write_text("高科 技公司\n", encoding="utf-8")
    for mode in ("seg", "rank"):
        lac = LAC(mode=mode, user_dict=path)
        item = lac.cut(["百度是一家高科技公司"])[0]
        assert "高科" in item["word"] and "技公司" in item["word"]
        if mode == "rank":
            assert len(item["rank"]) == len(item["word"])


def test_lac_user_dict_with_separator(tmp_path: Path) -> None:
    path = tmp_path / "user.dict"
    path.write_text("天安;门广场\n", encoding="utf-8")
    lac = LAC(mode="seg")
    lac.set_user_dict(path, sep=";")
    assert lac.cut("我去天安门广场")[-2:] == ["天安", "门广场"]


def test_lac_bad_user_dict_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.dict"
    path.write_text("春天/SEASON\n花/ 开\n", encoding="utf-8")
    with pytest.raises(UserDictError, match=r"bad\.dict, line 2: '花/' has a '/' but no tag"):
        LAC(mode="lac", user_dict=path)
    path.write_bytes("春天\n秋天\n".encode() + b"\xff\xfe\n")
    with pytest.raises(UserDictError, match=r"line 3: not UTF-8"):
        LAC(mode="lac").set_user_dict(path)
    with pytest.raises(hubcore.HubcoreError, match="cannot read user dictionary"):
        LAC(mode="lac").set_user_dict(tmp_path / "missing.dict")
