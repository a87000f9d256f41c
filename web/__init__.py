"""The search page (Flask): built on the same engine as the CLI. Arrives with the web issue."""
