"""Cryptographic building blocks: password hashing and policy, tokens."""
