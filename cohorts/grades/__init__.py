"""The optional participation column: the score rule, the outbox of scores, their delivery."""
