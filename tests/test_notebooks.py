"""The data notebooks run top to bottom on the shared LeetCodeDataset files and are stored clean."""

import json
import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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
