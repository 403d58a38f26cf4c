"""Command-line parsing with TRL's precedence: dataclass defaults < ``--config x.yaml`` < flags.

Unknown keys, in the YAML file or on the command line, are errors that name the key.
"""

from __future__ import annotations

import yaml


def yaml_to_flags(path: str) -> list[str]:
    """Turn a flat YAML mapping into ``--key value`` tokens (lists: several values)."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a recipe must be a mapping of option names to values")
    flags: list[str] = []
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, dict) for v in values):
            raise ValueError(f"{path}: option {key!r} has a nested mapping; recipes are flat")
        flags.append(f"--{key}")
        flags += ["true" if v is True else "false" if v is False else str(v) for v in values]
    return flags


def parse_config(config_class, argv: list[str], prog: str | None = None):
    """Parse ``argv`` into ``config_class``; a ``--config FILE`` recipe sits under the flags."""
    from transformers import HfArgumentParser

    argv = list(argv)
    recipe_flags: list[str] = []
    if "--config" in argv:
        position = argv.index("--config")
        if position + 1 >= len(argv):
            raise ValueError("--config needs a YAML file")
        recipe_flags = yaml_to_flags(argv[position + 1])
        del argv[position : position + 2]
    parser = HfArgumentParser(config_class, prog=prog)
    # argparse keeps the last value of a repeated option, so flags after the recipe win.
    (config,) = parser.parse_args_into_dataclasses(recipe_flags + argv)
    return config
