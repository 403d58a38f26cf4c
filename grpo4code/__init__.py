"""grpo4code: post-training code LLMs with verifiable rewards on Hugging Face TRL."""

__version__ = "0.1.0"
