"""Rule-based extraction of pledge claims with spaCy (and dateparser for timeframes)."""
