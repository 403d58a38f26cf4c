"""``python -m grpo4code.training [flags]`` -- what ``train.sh`` launches (see :mod:`.main`)."""

from grpo4code.training.main import main

if __name__ == "__main__":
    raise SystemExit(main())
