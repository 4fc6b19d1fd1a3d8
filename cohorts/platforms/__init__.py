"""Launch health per LMS registration: facts, the doctor's rules and the stored counters."""
