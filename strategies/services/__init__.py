"""State-changing workflows, one module per area: `<entity>_<action>(*, ...)` in one transaction."""
