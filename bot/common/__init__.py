"""What every layer may use: settings (config), texts in three languages (i18n), cleaning what
people and platforms hand in (text), and logs that never carry a secret (logs)."""
