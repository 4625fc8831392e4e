"""IAM policy documents and their evaluation (pure)."""
