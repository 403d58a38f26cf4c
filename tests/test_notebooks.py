"""The data notebooks run top to bottom on the shared LeetCodeDataset files and are stored clean."""

import json
import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AUGMENT_LIMIT = 12  # problems augmented in CI; the notebooks augment every problem by default
NOTEBOOKS = ["process_data_LeetCodeDataset_train.ipynb", "process_data_LeetCodeDataset_test.ipynb"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_stored_without_outputs(name):
    cells = json.load(open(os.path.join(REPO, "notebooks", name)))["cells"]
    assert all(not c.get("outputs") and not c.get("execution_count") for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_writes_a_prepared_split(name, leetcode_train_file, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    from grpo4code.governance.manifest import read_prepared_split

    monkeypatch.setenv("GRPO4CODE_PREPARED_DIR", str(tmp_path))
    monkeypatch.setenv("GRPO4CODE_AUGMENT_LIMIT", str(AUGMENT_LIMIT))
    notebook = nbformat.read(os.path.join(REPO, "notebooks", name), as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": REPO}}).execute()
    split = "train" if "train" in name else "test"
    problems, manifest = read_prepared_split(str(tmp_path / f"leetcode-{split}"))
    assert len(problems) == {"train": 1890, "test": 228}[split]
    assert manifest["role"] == {"train": "train", "test": "eval"}[split]
    printed = "".join(out.get("text", "") for cell in notebook.cells for out in cell.get("outputs", []))
    assert "no overlap with" in printed and "duplicate pairs" in printed
    assert any("image/png" in out.get("data", {}) for cell in notebook.cells for out in cell.get("outputs", []))
    assert "augmenting tests" in printed or "augmented" in printed
    if split == "train":
        from grpo4code.data import load_problems
        original, augmented = load_problems("leetcode", leetcode_train_file, "train").problems, problems
    else:
        original, augmented = problems, read_prepared_split(str(tmp_path / "leetcode-test-plus"))[0]
    tests_before = [p.num_tests for p in original]
    tests_after = [p.num_tests for p in augmented]
    gained = sum(after > before for before, after in zip(tests_before[:AUGMENT_LIMIT], tests_after))
    assert gained >= AUGMENT_LIMIT // 2, f"only {gained} of the first {AUGMENT_LIMIT} problems got new tests"
    assert tests_after[AUGMENT_LIMIT:] == tests_before[AUGMENT_LIMIT:]  # the rest as they were
