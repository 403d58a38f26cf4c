import ast
import warnings

from grpo4code.rewards.extraction import extract_code, silence_model_code_warnings

FENCE = "```"


def test_last_python_block_wins():
    text = f"try:\n{FENCE}python\ndef f():\n    return 1\n{FENCE}\nbetter:\n{FENCE}py\ndef f():\n    return 2\n{FENCE}\n"
    assert extract_code(text) == "def f():\n    return 2\n"


def test_other_languages_are_ignored_and_plain_code_must_parse():
    assert extract_code(f"{FENCE}cpp\nint x;\n{FENCE}") is None
    assert extract_code(f"{FENCE}cpp\nint x;\n{FENCE}\n{FENCE}\nx = 1\n{FENCE}") == "x = 1\n"
    assert extract_code("def f(x):\n    return x") == "def f(x):\n    return x\n"
    assert extract_code("Sure! Here is def f") is None
    assert extract_code("") is None


def test_a_block_cut_off_by_the_token_limit_runs_to_the_end():
    assert extract_code(f"{FENCE}python\ndef f(x):\n    return x") == "def f(x):\n    return x\n"


def test_conversational_completions_use_the_last_assistant_message():
    messages = [{"role": "assistant", "content": f"{FENCE}python\na = 1\n{FENCE}"},
                {"role": "user", "content": "again"},
                {"role": "assistant", "content": f"{FENCE}python\na = 2\n{FENCE}"}]
    assert extract_code(messages) == "a = 2\n"
    assert extract_code([{"role": "user", "content": "x = 1"}]) is None


def test_silence_model_code_warnings_drops_parse_warnings_only():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        silence_model_code_warnings()
        ast.parse("pattern = '\\w+'\n")  # an invalid escape in a model's code
        warnings.warn_explicit("from a real module", SyntaxWarning, "real_module.py", 1)
    assert [str(w.message) for w in caught] == ["from a real module"]
