"""Governance: planted duplicates and planted leakage must be found; manifests catch edits."""

import json
import random
import zlib

import pytest

from grpo4code.data.schema import CallTest, Problem
from grpo4code.governance import cli
from grpo4code.governance.dedup import DedupConfig, find_duplicates, find_overlaps
from grpo4code.governance.leakage import TrainTestLeakageError, guard_training_problems, known_evaluation_splits
from grpo4code.governance.manifest import ManifestMismatchError, build_manifest, read_prepared_split, write_prepared_split
from grpo4code.data.rows import LoadResult

WORDS = ("array string integer return maximum minimum number sum pair index value list count element "
         "sorted unique window prefix target length subarray character digit order path grid node edge "
         "cost operation query answer between distinct adjacent positive negative").split()


def statement(seed: int, length: int = 90) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(length)) + "."


def problem(pid: str, text: str, solution: str = "", split: str = "train") -> Problem:
    return Problem(id=pid, source="unit", split=split, instruction=text, description=text,
                   tests=[CallTest(args=[1], expected=1)], entry_point="f",
                   reference_solution=solution or f"def f(x):\n    return x + {zlib.crc32(pid.encode())}\n")


def reword(text: str, changes: int, seed: int = 0) -> str:
    words = text.split()
    rng = random.Random(seed)
    for position in rng.sample(range(len(words)), changes):
        words[position] = "zebra"
    return " ".join(words)


@pytest.fixture
def corpus():
    return [problem(f"unit/{i}", statement(i)) for i in range(40)]


def test_planted_duplicates_are_found_and_nothing_else(corpus):
    same_code = corpus[12].reference_solution.replace("return", "# same code, new comment\n    return")
    planted = [
        problem("unit/exact-copy", corpus[3].description.upper()),  # same after normalisation
        problem("unit/near-copy", reword(corpus[7].description, 2)),
        problem("unit/same-code", statement(999), solution=same_code),
    ]
    pairs = {(p.first, p.second): p for p in find_duplicates(corpus + planted)}
    assert set(pairs) == {("unit/3", "unit/exact-copy"), ("unit/7", "unit/near-copy"), ("unit/12", "unit/same-code")}
    assert pairs[("unit/3", "unit/exact-copy")].kinds == ("same_statement", "near_statement")
    assert pairs[("unit/7", "unit/near-copy")].kinds == ("near_statement",)
    assert 0.8 <= pairs[("unit/7", "unit/near-copy")].similarity < 1.0
    assert pairs[("unit/12", "unit/same-code")].kinds == ("same_solution",)


def test_threshold_decides_near_duplicates(corpus):
    heavy = problem("unit/heavy-edit", reword(corpus[5].description, 6))
    assert not find_overlaps(corpus, [heavy], DedupConfig(threshold=0.8))
    # A low threshold needs more LSH bands (fewer rows each) to surface the candidate.
    found = find_overlaps(corpus, [heavy], DedupConfig(threshold=0.4, bands=64))
    assert [p.first for p in found] == ["unit/5"] and 0.4 <= found[0].similarity < 0.8


def test_guard_refuses_planted_leakage_unless_overridden(corpus):
    evaluation = {"unit/eval": [problem("eval/a", reword(corpus[11].description, 1), split="test"),
                                problem("eval/b", statement(500), split="test")]}
    with pytest.raises(TrainTestLeakageError) as caught:
        guard_training_problems(corpus, evaluation)
    message = str(caught.value)
    assert "unit/11 ~ eval/a" in message and "allow_eval_overlap" in message and "eval/b" not in message
    report = guard_training_problems(corpus, evaluation, allow_eval_overlap=True)
    assert report.leaked_train_ids() == {"unit/11"}
    assert guard_training_problems(corpus[:11], evaluation).is_clean


def test_builtin_evaluation_splits_protect_humaneval(humaneval):
    leaked = humaneval.problems[17]
    copy = problem("mine/copied", leaked.description)
    with pytest.raises(TrainTestLeakageError, match=f"mine/copied ~ {leaked.id}"):
        guard_training_problems([copy], known_evaluation_splits())


def test_manifest_round_trip_and_tamper_detection(tmp_path, corpus):
    loaded = LoadResult(source="unit", location="memory", problems=corpus)
    manifest = build_manifest("unit-train", "train", loaded)
    assert manifest["num_problems"] == 40 and len(manifest["problems"]) == 40
    write_prepared_split(str(tmp_path), corpus, manifest)
    problems, again = read_prepared_split(str(tmp_path))
    assert [p.id for p in problems] == [p.id for p in corpus] and again["split_hash"] == manifest["split_hash"]
    lines = (tmp_path / "problems.jsonl").read_text().splitlines()
    edited = json.loads(lines[0])
    edited["tests"][0]["expected"] = 2
    (tmp_path / "problems.jsonl").write_text("\n".join([json.dumps(edited)] + lines[1:]) + "\n")
    with pytest.raises(ManifestMismatchError, match="does not match its manifest"):
        read_prepared_split(str(tmp_path))


def write_records(path, problems):
    path.write_text("".join(json.dumps(p.to_dict()) + "\n" for p in problems))
    return str(path)


def test_prepare_refuses_then_excludes_leaked_problems(tmp_path, corpus):
    prepared = tmp_path / "prepared"
    eval_file = write_records(tmp_path / "eval.jsonl", [problem("eval/x", reword(corpus[2].description, 1), split="test")])
    cli.main(["prepare", "--source", "records", "--location", eval_file, "--split", "test", "--role", "eval",
              "--name", "unit-eval", "--prepared_dir", str(prepared)])
    train_file = write_records(tmp_path / "train.jsonl", corpus)
    args = ["prepare", "--source", "records", "--location", train_file, "--split", "train",
            "--name", "unit-train", "--prepared_dir", str(prepared)]
    with pytest.raises(TrainTestLeakageError, match="unit/2 ~ eval/x"):
        cli.main(args)
    cli.main(args + ["--exclude_eval_overlap", "true"])
    problems, manifest = read_prepared_split(str(prepared / "unit-train"))
    assert len(problems) == 39 and "unit/2" not in {p.id for p in problems}
    assert manifest["role"] == "train" and manifest["input_hashes"]


def test_audit_report_on_the_shared_leetcode_files(tmp_path, leetcode_train_file, leetcode_test_file):
    """The real numbers: 1890 + 228 problems, no train/test overlap, 14 near-duplicate pairs in test."""
    report = tmp_path / "report.md"
    summary = cli.audit(cli.AuditConfig(train=[f"leetcode:train={leetcode_train_file}"],
                                        eval=[f"leetcode:test={leetcode_test_file}", "humaneval:test"],
                                        report=str(report)))
    splits = summary["splits"]
    assert splits["leetcode/train"]["problems"] == 1890 and splits["leetcode/test"]["problems"] == 228
    assert splits["humaneval/test"]["problems"] == 164
    assert splits["leetcode/train"]["duplicate_pairs"] == 2
    assert splits["leetcode/test"]["duplicate_pairs"] == 14  # the "-i"/"-ii" problem pairs
    assert summary["overlaps"]["leetcode/train vs leetcode/test"]["pairs"] == 0
    text = report.read_text()
    assert "| leetcode/train | 1890 |" in text and "find-the-count-of-monotonic-pairs-ii" in text
