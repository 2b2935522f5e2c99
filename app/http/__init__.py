"""HTTP plumbing shared by every blueprint: bodies, auth, request ids, headers."""
