"""Use cases: the only way to reach records. Each owns its transaction, checks role and clinic, and audits."""
