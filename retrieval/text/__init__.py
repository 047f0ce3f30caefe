"""Everything about Arabic text, once: normalization and tokens, sentences, stop words,
dialect words, other spellings, and the shared rules (arabic)."""
