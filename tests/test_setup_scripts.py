"""The two-command set-up: scripts parse, set-up is idempotent, torch stays pinned."""

import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = ["train.sh", "test.sh", "inference.sh", "scripts/bootstrap.sh", ".ci/run"]


def run_bash(command: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=600)


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_parse(script):
    assert run_bash(f"bash -n {script}").returncode == 0


def test_ci_runs_the_readme_test_command():
    ci = open(os.path.join(REPO, ".ci/run")).read()
    readme = open(os.path.join(REPO, "README.md")).read()
    assert "bash test.sh" in ci and "bash test.sh" in readme


def test_setup_is_quick_when_done():
    """A second set-up finds its stamp and installs nothing."""
    venv = os.path.dirname(os.path.dirname(sys.executable))
    done = run_bash("source scripts/bootstrap.sh && bootstrap_env dev && command -v python", GRPO4CODE_VENV=venv)
    assert done.returncode == 0, done.stderr
    assert "installing" not in done.stderr
    assert done.stdout.strip() == os.path.join(venv, "bin", "python")


def test_torch_is_the_pinned_build():
    import torch

    venv = os.path.dirname(os.path.dirname(sys.executable))
    lines = open(os.path.join(venv, "constraints.txt")).read().splitlines()
    pins = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert pins in ([f"torch=={torch.__version__}"], [f"torch=={torch.__version__.split('+')[0]}"])


def test_train_sh_help_lists_ours_and_trls_options():
    venv = os.path.dirname(os.path.dirname(sys.executable))
    done = run_bash("bash train.sh --help", GRPO4CODE_VENV=venv)
    assert done.returncode == 0, done.stderr[-3000:]
    for flag in ("--meta_data", "--execute_code_url", "--reward_dimensions", "--use_weight_net", "--fixed_weights",
                 "--load_from_pretrained_step", "--use_peft", "--lora_r", "--loss_type", "--beta", "--vllm_mode",
                 "--num_generations", "--max_prompt_length"):
        assert flag in done.stdout, flag
