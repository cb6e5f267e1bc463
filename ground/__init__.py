"""The ground: small helpers every app stands on (the audit chain, background jobs, the working
calendar, amounts in figures and capitals). It imports nothing of ours."""
