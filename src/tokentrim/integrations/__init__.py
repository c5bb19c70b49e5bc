"""Integrations with other tools' plugin systems (each needs its extra: ``tokentrim[litellm]``)."""
