"""Our own starter problem set, shipped with the package (train.jsonl and heldout.jsonl).

``catalog_train`` / ``catalog_heldout`` are the authoring source, ``build`` regenerates and
verifies the jsonl files: ``python -m grpo4code.data.starter.build [--check]``.
"""
