"""Review stage: flagged items, stored decisions, the review page and the spreadsheet round trip."""
