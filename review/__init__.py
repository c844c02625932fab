"""The fact-checkers' review page (`pledgewatch serve`) and the ClaimReview export of their verdicts."""
