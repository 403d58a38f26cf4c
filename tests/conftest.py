"""Shared test settings.

The shared LeetCodeDataset files are found through one setting, the environment variable
GRPO4CODE_LEETCODE_DIR (``.ci/run`` sets it to ../shared/data/leetcode). Unset: tests that
need the files skip with a reason. Set to a folder without the files: they fail.
"""

from __future__ import annotations

import os

import pytest

LEETCODE_DIR_VARIABLE = "GRPO4CODE_LEETCODE_DIR"
LEETCODE_TRAIN_FILE = "LeetCodeDataset-v0.2.0-train.jsonl.gz"
LEETCODE_TEST_FILE = "LeetCodeDataset-v0.3.1-test.jsonl.gz"


def _leetcode_file(name: str) -> str:
    folder = os.environ.get(LEETCODE_DIR_VARIABLE)
    if not folder:
        pytest.skip(f"{LEETCODE_DIR_VARIABLE} is not set (point it at the LeetCodeDataset files)")
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        pytest.fail(f"{LEETCODE_DIR_VARIABLE}={folder} but {name} is not there")
    return path


@pytest.fixture(scope="session")
def leetcode_train_file() -> str:
    return _leetcode_file(LEETCODE_TRAIN_FILE)


@pytest.fixture(scope="session")
def leetcode_test_file() -> str:
    return _leetcode_file(LEETCODE_TEST_FILE)


@pytest.fixture(scope="session")
def leetcode_train(leetcode_train_file):
    from grpo4code.data import load_problems

    return load_problems("leetcode", leetcode_train_file)


@pytest.fixture(scope="session")
def leetcode_test(leetcode_test_file):
    from grpo4code.data import load_problems

    return load_problems("leetcode", leetcode_test_file)


@pytest.fixture(scope="session")
def humaneval():
    from grpo4code.data import load_problems

    return load_problems("humaneval")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> str:
    """A tiny random Llama (2 layers, width 64) with SmolLM2's real tokenizer and chat
    template: trains in seconds on a CPU, exercises the real loading and chat code."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from grpo4code.training.model_loading import load_tokenizer, resolve_model_path

    tokenizer = load_tokenizer(resolve_model_path(None))
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True)
    folder = str(tmp_path_factory.mktemp("tiny-llama"))
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
